import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium: the tests never download a browser. */
const chromiumPath = "/usr/bin/chromium";

const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A Chromium with a fresh profile, and what its pages complained about. */
export interface AdminBrowser {
  readonly context: BrowserContext;
  /** CSP violations and uncaught page errors, for a final assertion. */
  readonly problems: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Launches Chromium with a throwaway user-data-dir, pages at `baseUrl`. */
export async function launchAdminBrowser(baseUrl: string): Promise<AdminBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "microtodo-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    args: chromiumArgs,
    headless: true,
    baseURL: baseUrl,
    viewport: { width: 1400, height: 900 },
  });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on("console", (message) => {
      if (/Content.Security.Policy/i.test(message.text())) problems.push(message.text());
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  };
  for (const page of context.pages()) watch(page);
  context.on("page", watch);
  return {
    context,
    problems,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
