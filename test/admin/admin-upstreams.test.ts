import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { type AdminApp, createAdminApp } from "@microtodo/admin";
import { AuthService } from "@microtodo/api/auth";
import { RegistryService, Visibility } from "@microtodo/api/registry";
import {
  createHttpKeySource,
  createRegistryClient,
  createTokenVerifier,
  freePort,
  type RegistryClient,
} from "@microtodo/kit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestStack, type TestStack, testStackOptions } from "../e2e/local-stack.js";
import { adminHttp, sessionIdOf, until, within } from "./admin-http.js";
import { openSse, type SseEvent } from "./sse-reader.js";

// The admin server against upstreams that change under it: auth's access
// tokens live three seconds, and the registry is killed and restarted.
// The admin server runs in this process so the test can see its sessions.
const accessTokenTtlMs = 3_000;

let env: TestStack;
let resolver: RegistryClient;
let admin: AdminApp;
let url: string;
const { call, signIn } = adminHttp(() => url);

beforeAll(async () => {
  const options = await testStackOptions();
  env = await startTestStack({
    ...options,
    extraEnv: {
      ...options.extraEnv,
      MICROTODO_ACCESS_TOKEN_TTL_MS: String(accessTokenTtlMs),
    },
  });
  resolver = createRegistryClient({ registryUrl: env.internalUrl, secret: "" });
  admin = await createAdminApp({
    ...inProcessOptions(),
    instance: "admin-upstreams-test",
    logger: pino({ level: "silent" }),
    sessionRefreshAheadMs: 1_000,
    sessionSweepMs: 250,
  });
  url = (await admin.server.listen({ host: "127.0.0.1", port: 0 })).url;
}, 120_000);

afterAll(async () => {
  await admin?.server.close({ timeoutMs: 1_000 });
  await admin?.stop();
  await env?.stop();
});

function liveSession(cookie: string) {
  const session = admin.sessions.peek(sessionIdOf(cookie));
  if (session === undefined) throw new Error("the session ended");
  return session;
}

describe("access token refresh", () => {
  test("the access token is refreshed before it expires, and the session outlives the first one", async () => {
    const cookie = await signIn();
    const first = { ...liveSession(cookie) };
    // A sweep refreshes it with no request from the browser.
    await until(
      () => liveSession(cookie).accessExpiresAtMs,
      (expiresAtMs) => expiresAtMs > first.accessExpiresAtMs,
    );
    await until(
      () => Date.now(),
      (nowMs) => nowMs > first.accessExpiresAtMs + 500,
      2 * accessTokenTtlMs,
    );
    expect((await call("/api/session", { cookie })).status).toBe(200);
    expect((await call("/api/overview", { cookie })).status).toBe(200);

    const verifier = createTokenVerifier({
      keySource: createHttpKeySource({ baseUrl: () => resolver.resolveUrl("auth") }),
      clockToleranceMs: 0,
    });
    await expect(verifier.verify(first.accessToken)).rejects.toThrow();
    const current = liveSession(cookie);
    expect(current.refreshToken).not.toBe(first.refreshToken);
    const principal = await verifier.verify(current.accessToken);
    expect(principal.username).toBe("admin");
    expect(principal.expiresAtMs).toBeGreaterThan(Date.now());
  });

  test("a refresh auth refuses (signed out elsewhere) ends the session and its live streams", async () => {
    const cookie = await signIn();
    const dashboard = await openSse(`${url}/api/events`, { cookie });
    try {
      await dashboard.waitFor((e) => e.event === "synced");
      const auth = createClient(
        AuthService,
        createConnectTransport({ baseUrl: env.publicUrl, httpVersion: "1.1" }),
      );
      await auth.logout({ refreshToken: liveSession(cookie).refreshToken });
      await within(
        dashboard.ended,
        3 * accessTokenTtlMs,
        "the dashboard's stream ending",
      );
      expect((await call("/api/session", { cookie })).body).toMatchObject({
        code: "unauthenticated",
      });
    } finally {
      dashboard.close();
    }
  });
});

describe("revoking sessions at shutdown", () => {
  test("with auth not answering, ending the sessions waits only for the deadline and logs one line", async () => {
    const lines: string[] = [];
    const app = await createAdminApp({
      ...inProcessOptions(),
      instance: "admin-shutdown-test",
      logger: pino({ level: "info" }, { write: (line: string) => lines.push(line) }),
      shutdownRevokeTimeoutMs: 1_000,
    });
    const appUrl = (await app.server.listen({ host: "127.0.0.1", port: 0 })).url;
    const auth = env.stack.processes.get("auth");
    try {
      await signIn(appUrl);
      await signIn(appUrl);
      await app.server.close({ timeoutMs: 1_000 });
      // A stopped process still has its sockets: calls to it hang.
      auth?.kill("SIGSTOP");
      const startedAtMs = Date.now();
      await app.stop();
      // Logout's own timeout is 5 s: the deadline ended the wait, not it.
      expect(Date.now() - startedAtMs).toBeLessThan(4_000);
    } finally {
      auth?.kill("SIGCONT");
    }
    expectOneUnrevokedLine(lines);
  });
});

describe("instance watch", () => {
  // Late in the file: it restarts the stack's registry.
  test("the event stream resyncs after the registry restarts, removing instances it lost", async () => {
    const registry = createClient(
      RegistryService,
      createConnectTransport({ baseUrl: env.internalUrl, httpVersion: "1.1" }),
    );
    // Nothing answers there and it never heartbeats: the restarted
    // registry will not know it.
    const { instance: ghost } = await registry.register(
      {
        serviceType: "ghost",
        address: `127.0.0.1:${await freePort()}`,
        visibility: Visibility.INTERNAL,
      },
      { headers: { authorization: `Bearer ${env.options.registrySecret}` } },
    );
    const cookie = await signIn();
    const dashboard = await openSse(`${url}/api/events`, { cookie });
    try {
      await dashboard.waitFor(instanceEvent("added", ghost?.id));
      await dashboard.waitFor((e) => e.event === "synced");

      const mark = dashboard.events.length;
      env.stack.processes.get("registry")?.kill("SIGKILL");
      await env.stack.waitProcessReady("registry", 30_000);
      await dashboard.waitFor(instanceEvent("removed", ghost?.id), 30_000, mark);
      await dashboard.waitFor((e) => e.event === "synced", 30_000, mark);
      // The services register again (their heartbeat finds no lease) and
      // arrive on the same stream.
      const { instances } = await until(
        () => registry.listInstances({ serviceType: "auth" }),
        (list) => list.instances.length > 0,
      );
      await dashboard.waitFor(instanceEvent("added", instances[0]?.id), 30_000, mark);
      const overview = await call("/api/overview", { cookie });
      expect(
        (overview.body as { instances: { id: string }[] }).instances.map((i) => i.id),
      ).not.toContain(ghost?.id);
    } finally {
      dashboard.close();
    }
  }, 90_000);
});

describe("stopping the stack", () => {
  // Last in the file: it stops auth and the stack's admin server.
  test("admin sessions open while auth is already gone make one line at shutdown, without a stack trace", async () => {
    const stackAdmin = `http://${env.options.host}:${env.options.ports.admin}`;
    await signIn(stackAdmin);
    await signIn(stackAdmin);
    const mark = env.output.length;
    await env.stack.processes.get("auth")?.stop(10_000);
    await env.stack.processes.get("admin")?.stop(10_000);
    const lines = env.output
      .slice(mark)
      .filter((line) => line.startsWith("admin | {"))
      .map((line) => line.slice("admin | ".length));
    expectOneUnrevokedLine(lines);
  }, 40_000);
});

/** The options every in-process admin server here shares. */
function inProcessOptions() {
  return {
    registryUrl: env.internalUrl,
    registrySecret: env.options.registrySecret,
    resolver,
    webDir: "/nonexistent",
    sessionIdleMs: 600_000,
    sessionMaxMs: 3_600_000,
    sampleIntervalMs: 2_000,
  };
}

/**
 * The pino lines of a shutdown with two sessions whose tokens auth could
 * not revoke: one info line says so, and no line per session.
 */
function expectOneUnrevokedLine(lines: readonly string[]): void {
  const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const unrevoked = records.filter((r) =>
    String(r.msg).startsWith("could not revoke admin sessions at shutdown"),
  );
  expect(unrevoked).toEqual([
    expect.objectContaining({
      level: 30,
      msg: expect.stringContaining("auth unavailable"),
      sessions: 2,
      refreshTokensExpireBy: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    }),
  ]);
  expect(unrevoked[0]).not.toHaveProperty("err");
  expect(records.filter((r) => r.msg === "revoking a session failed")).toEqual([]);
}

/** Matches an `instance` event of this kind about this instance. */
function instanceEvent(kind: string, id: string | undefined) {
  return (event: SseEvent) => {
    if (event.event !== "instance") return false;
    const data = JSON.parse(event.data) as { kind: string; instance: { id: string } };
    return data.kind === kind && data.instance.id === id;
  };
}
