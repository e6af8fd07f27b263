import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AuthService } from "@microtodo/api/auth";
import { Level, LoggerService } from "@microtodo/api/logger";
import { RegistryService } from "@microtodo/api/registry";
import { freePort } from "@microtodo/kit";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type AdminBrowser, launchAdminBrowser } from "./admin/admin-browser.js";
import { instanceRow, navigateTo, waitForShare } from "./admin/admin-pages.js";
import { startTcpRelay } from "./admin/tcp-relay.js";
import { driveTraffic } from "./admin/traffic-driver.js";
import { startTestStack, type TestStack, testStackOptions } from "./local-stack.js";

// One stack and one Chromium for the file: the tests read as one
// operator's visit, from a refused sign-in to logging out.
const repoRoot = resolve(import.meta.dirname, "../..");
const screenshots = resolve(repoRoot, "test-output/admin");
const password = "a perfectly fine passphrase";

// The registry checks every 500 ms in these tests (local-stack.ts), with
// the default 1 s timeout and fall 3: three failed checks, each at worst a
// timeout, make the fall window. The stream and the browser get 5 s more.
const fallWindowMs = 3 * (500 + 1_000);
const shownWithinMs = fallWindowMs + 5_000;

let env: TestStack;
let browser: AdminBrowser;
let page: Page;
let adminUrl: string;

beforeAll(async () => {
  for (const built of [
    "services/admin/dist/main.js",
    "services/admin/dist/web/index.html",
  ]) {
    if (!existsSync(resolve(repoRoot, built))) {
      throw new Error(`${built} is missing: run \`make build\` first`);
    }
  }
  mkdirSync(screenshots, { recursive: true });
  env = await startTestStack(await testStackOptions());
  adminUrl = `http://${env.options.host}:${env.options.ports.admin}`;
  browser = await launchAdminBrowser(adminUrl);
  page = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

function admin(): { username: string; password: string } {
  const extra = env.options.extraEnv ?? {};
  return {
    username: extra.MICROTODO_ADMIN_USERNAME ?? "",
    password: extra.MICROTODO_ADMIN_PASSWORD ?? "",
  };
}

function connectTo(baseUrl: string) {
  return createConnectTransport({ baseUrl, httpVersion: "1.1" });
}

/** Registers a plain (non-admin) user and returns an access token. */
async function signUp(username: string): Promise<string> {
  const auth = createClient(AuthService, connectTo(env.publicUrl));
  await auth.register({ username, password });
  const { tokens } = await auth.login({ username, password });
  return tokens?.accessToken ?? "";
}

/** Writes one record to the logger, the way the services' shippers do. */
async function pushLog(message: string): Promise<void> {
  const loggerUrl = `http://${env.options.host}:${env.options.ports.logger}`;
  const logger = createClient(LoggerService, connectTo(loggerUrl));
  const { stored } = await logger.push({
    records: [
      {
        time: timestampNow(),
        level: Level.WARN,
        serviceType: "e2e",
        instance: "admin-ui-test",
        message,
      },
    ],
  });
  expect(stored).toBe(1);
}

describe("the admin UI in Chromium, against the local stack", () => {
  test("index.html carries a strict CSP and no inline script or style", async () => {
    const res = await fetch(`${adminUrl}/logs`);
    const html = await res.text();
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(html).toContain('<div id="app">');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
  });

  test("a plain user is refused as not an admin; a wrong password says so", async () => {
    await signUp("plain-operator");
    await page.goto("/");
    await page.waitForURL(/\/signin$/);
    const error = page.locator("#signin-error");
    await page.getByLabel("Username").fill("plain-operator");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await error.filter({ hasText: "not an admin" }).waitFor();

    await page.getByLabel("Username").fill(admin().username);
    await page.getByLabel("Password").fill("not the admin password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await error.filter({ hasText: "Wrong username or password" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/signin");
  });

  test("an admin signs in with the keyboard alone and lands on the overview", async () => {
    await page.goto("/signin");
    // Expressions, not functions: the test's TypeScript has no DOM types.
    await page.waitForFunction('document.activeElement?.id === "signin-username"');
    await page.keyboard.type(admin().username);
    await page.keyboard.press("Tab");
    await page.keyboard.type(admin().password);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/");
    const cookie = (await browser.context.cookies()).find(
      (c) => c.name === "microtodo_admin",
    );
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Strict");
  });

  test("the overview lists every service type and instance the registry knows, live", async () => {
    const registry = createClient(RegistryService, connectTo(env.internalUrl));
    const { instances } = await registry.listInstances({});
    expect(instances.length).toBeGreaterThanOrEqual(5);
    for (const type of new Set(instances.map((i) => i.serviceType))) {
      await page.locator(`section[data-service-type="${type}"]`).waitFor();
    }
    for (const instance of instances) {
      await page.locator(`tr[data-instance-id="${instance.id}"]`).waitFor();
    }
    await page.locator(".feed-status", { hasText: "live" }).waitFor();
  });

  test("the overview's last health check time moves on with nothing else changing", async () => {
    // The registry announces no check that keeps the verdict (issue #8);
    // the admin server's traffic sampling brings them to the stream.
    const live = page.locator(".feed-status", { hasText: "live" });
    await live.waitFor();
    const logger = instanceRow(page, `${env.options.host}:${env.options.ports.logger}`);
    const checkTime = async () =>
      /\d\d:\d\d:\d\d/.exec((await logger.locator("td.health").textContent()) ?? "")?.[0];
    const before = await checkTime();
    expect(before).toBeDefined();
    await expect.poll(checkTime, { timeout: 15_000, interval: 250 }).not.toBe(before);
    expect(await live.count(), "still live, not polling").toBe(1);
  });

  test("changing a weight on the instance page changes the traffic split shown", async () => {
    const [heavyPort, lightPort] = env.options.ports.todo;
    const heavy = instanceRow(page, `${env.options.host}:${heavyPort}`);
    const light = instanceRow(page, `${env.options.host}:${lightPort}`);
    const traffic = driveTraffic(env.publicUrl, await signUp("traffic-maker"));
    try {
      // Weights 300 and 100: the light instance gets about a quarter.
      const before = await waitForShare(light, (p) => p >= 10 && p <= 40, 30_000);
      expect(before, "share of the weight-100 instance").toBeLessThanOrEqual(40);

      await light.getByRole("link").click();
      await page.getByLabel("Weight (0–1000)").fill("900");
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByText("Weight set to 900.").waitFor();
      await page.screenshot({
        path: resolve(screenshots, "instance.png"),
        fullPage: true,
      });

      await navigateTo(page, "Overview");
      await light.locator("td.weight", { hasText: "900" }).waitFor();
      // 900 against 300: now it gets about three quarters.
      const after = await waitForShare(light, (p) => p >= 60, 30_000);
      expect(after, "share of the instance now weighted 900").toBeGreaterThanOrEqual(60);
      expect(await waitForShare(heavy, (p) => p <= 40, 5_000)).toBeLessThanOrEqual(40);
      await page.screenshot({
        path: resolve(screenshots, "overview.png"),
        fullPage: true,
      });
    } finally {
      await traffic.stop();
    }
  }, 90_000);

  test("an instance killed with SIGKILL shows unhealthy within the registry's fall window", async () => {
    // An extra todo instance outside the supervisor, so nothing restarts it.
    const todo = env.stack.processes.get("todo-2")?.spec;
    if (!todo) throw new Error("the stack has no todo-2");
    const port = await freePort();
    const victim: ChildProcess = spawn(process.execPath, [...todo.nodeArgs], {
      env: {
        ...process.env,
        ...todo.env,
        MICROTODO_PORT: String(port),
        MICROTODO_INSTANCE: "todo-victim",
      },
      stdio: "ignore",
    });
    try {
      const row = instanceRow(page, `${env.options.host}:${port}`);
      await row.locator("td.health .badge", { hasText: /^healthy$/ }).waitFor({
        timeout: 30_000,
      });
      const killedAt = Date.now();
      victim.kill("SIGKILL");
      await row.locator("td.health .badge", { hasText: "unhealthy" }).waitFor({
        timeout: shownWithinMs + 10_000,
      });
      expect(Date.now() - killedAt).toBeLessThan(shownWithinMs);
    } finally {
      victim.kill("SIGKILL");
    }
  }, 60_000);

  test("sparse calls draw a visible p99 line, with dots for lone samples", async () => {
    // Calls further apart than two sampling steps leave every p99 value
    // between gaps, which used to draw nothing at all.
    const auth = createClient(AuthService, connectTo(env.publicUrl));
    for (let i = 0; i < 4; i++) {
      await auth.getPublicKeys({});
      await new Promise((resolve) => setTimeout(resolve, 4_500));
    }
    const row = instanceRow(page, `${env.options.host}:${env.options.ports.auth}`);
    await row.scrollIntoViewIfNeeded();
    // Strokes and dots are opaque; the area under the line is faint.
    const opaquePixels = `(() => {
      const canvas = document.querySelector(
        'tr[data-instance-id$="@${env.options.host}:${env.options.ports.auth}"] td.metric-p99 canvas');
      const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let opaque = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 128) opaque++;
      return opaque;
    })()`;
    expect(await page.evaluate<number>(opaquePixels)).toBeGreaterThan(20);
    await row.screenshot({ path: resolve(screenshots, "sparse-p99.png") });
    await page.screenshot({
      path: resolve(screenshots, "overview-sparse.png"),
      fullPage: true,
    });
  }, 40_000);

  test("a new log line appears in live follow without a reload, and resumes after a pause", async () => {
    await navigateTo(page, "Logs");
    const status = page.locator(".tail-status");
    await status.filter({ hasText: "following live" }).waitFor();
    // A marker on the document: a reload would lose it.
    await page.evaluate('document.body.dataset.sameDocument = "yes"');
    const token = `admin-ui-${Date.now()}`;
    await pushLog(`${token} written while following`);
    const records = page.locator("table.logs td.message");
    await records.filter({ hasText: `${token} written while following` }).waitFor();

    await page.getByRole("button", { name: "Pause" }).click();
    await status.filter({ hasText: "paused" }).waitFor();
    await pushLog(`${token} written while paused`);
    await page.getByRole("button", { name: "Resume" }).click();
    const missed = records.filter({ hasText: `${token} written while paused` });
    await missed.waitFor();
    expect(await missed.count()).toBe(1);
    expect(await page.evaluate("document.body.dataset.sameDocument")).toBe("yes");
    await page.locator(".histogram canvas").first().waitFor();
    await page.screenshot({ path: resolve(screenshots, "logs.png") });
  });

  test("live follow picks up after a dropped connection from the last record seen", async () => {
    // A second page reaches the admin server through a relay the test can
    // cut; the session cookie is the same (cookies do not care for ports).
    const relay = await startTcpRelay({
      host: env.options.host,
      port: env.options.ports.admin,
    });
    const second = await browser.newPage();
    try {
      await second.goto(`http://${env.options.host}:${relay.port}/logs`);
      const status = second.locator(".tail-status");
      await status.filter({ hasText: "following live" }).waitFor();
      const token = `admin-ui-drop-${Date.now()}`;
      relay.cut();
      await status.filter({ hasText: "reconnecting" }).waitFor();
      await pushLog(`${token} written while disconnected`);
      relay.reopen();
      const missed = second
        .locator("table.logs td.message")
        .filter({ hasText: `${token} written while disconnected` });
      await missed.waitFor({ timeout: 20_000 });
      await status.filter({ hasText: "following live" }).waitFor();
      expect(await missed.count()).toBe(1);
    } finally {
      await second.close();
      await relay.close();
    }
  }, 40_000);

  test("the overview falls back to polling when the event stream fails", async () => {
    const second = await browser.newPage();
    try {
      await second.route("**/api/events", (route) => route.abort());
      await second.goto("/");
      await second
        .locator(".feed-status", { hasText: "polling" })
        .waitFor({ timeout: 20_000 });
      await second
        .locator('section[data-service-type="todo"] tbody tr')
        .first()
        .waitFor();
    } finally {
      await second.close();
    }
  });

  test("logging out goes to sign-in, and so does any page without a session", async () => {
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/signin/);
    await page.goto("/logs");
    await page.waitForURL(/\/signin\?next=%2Flogs$/);
    expect(browser.problems, "CSP violations and script errors").toEqual([]);
  });
});
