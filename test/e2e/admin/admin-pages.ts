import type { Locator, Page } from "playwright-core";

/** The overview's row of the instance listening on `address` (host:port). */
export function instanceRow(page: Page, address: string): Locator {
  return page.locator(`tr[data-instance-id$="@${address}"]`);
}

/** The share of its type's traffic a row shows, in percent, or undefined. */
export async function shownShare(row: Locator): Promise<number | undefined> {
  const text = (await row.locator("td.share").textContent()) ?? "";
  const match = /(\d+)\s*%/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * Polls until the row's shown share satisfies `wanted`; returns the share
 * seen last (so a failing assertion can say what the page showed).
 */
export async function waitForShare(
  row: Locator,
  wanted: (percent: number) => boolean,
  timeoutMs: number,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  let share = await shownShare(row);
  while (!(share !== undefined && wanted(share)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    share = await shownShare(row);
  }
  return share;
}

/** Goes to a page through the top navigation, without a reload. */
export async function navigateTo(page: Page, name: "Overview" | "Logs"): Promise<void> {
  await page.getByRole("navigation").getByRole("link", { name, exact: true }).click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
}
