import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { type AdminApp, contentSecurityPolicy, createAdminApp } from "@microtodo/admin";
import { AuthService } from "@microtodo/api/auth";
import { RegistryService } from "@microtodo/api/registry";
import { createRegistryClient } from "@microtodo/kit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestStack, type TestStack, testStackOptions } from "../e2e/local-stack.js";
import { adminHttp, adminPassword, sessionIdOf, until, within } from "./admin-http.js";
import { openSse, type SseEvent, type SseReader } from "./sse-reader.js";

// One stack (registry, auth, logger, two todos and the admin server, all
// from dist) for the whole file: starting it costs seconds.
let env: TestStack;
let adminUrl: string;
const { call, signIn } = adminHttp(() => adminUrl);
const userPassword = "a perfectly fine passphrase";

beforeAll(async () => {
  env = await startTestStack(await testStackOptions());
  adminUrl = `http://127.0.0.1:${env.options.ports.admin}`;
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

function registry() {
  return createClient(
    RegistryService,
    createConnectTransport({ baseUrl: env.internalUrl, httpVersion: "1.1" }),
  );
}

function publicAuth() {
  return createClient(
    AuthService,
    createConnectTransport({ baseUrl: env.publicUrl, httpVersion: "1.1" }),
  );
}

type Json = Record<string, unknown>;

/** The data of an `instance` event, as far as these tests read it. */
function instanceData(event: SseEvent) {
  return JSON.parse(event.data) as {
    kind: string;
    instance: {
      id: string;
      serviceType: string;
      health: string;
      weight: number;
      draining: boolean;
      lastCheck: { time: string } | null;
    };
  };
}

describe("admin sign-in", () => {
  test("an admin signs in with an HttpOnly, SameSite=Strict cookie of 32 random bytes", async () => {
    const answer = await call("/api/session", {
      method: "POST",
      body: { username: "admin", password: adminPassword },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      username: "admin",
      roles: expect.arrayContaining(["admin"]),
    });
    expect(Date.parse((answer.body as Json).expiresAt as string)).toBeGreaterThan(
      Date.now(),
    );
    const [pair, ...attributes] = (answer.headers.get("set-cookie") ?? "").split("; ");
    expect(pair).toMatch(/^microtodo_admin=[A-Za-z0-9_-]{43}$/);
    // No Max-Age, Expires or Secure (plain http): gone when the browser closes.
    expect(attributes.sort()).toEqual(["HttpOnly", "Path=/", "SameSite=Strict"]);
    const cookie = (answer.headers.get("set-cookie") ?? "").split(";")[0];
    const again = await call("/api/session", { cookie });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ username: "admin" });
  });

  test("a plain user is refused with 403 and a wrong password with 401", async () => {
    await publicAuth().register({ username: "plain-user", password: userPassword });
    const plain = await call("/api/session", {
      method: "POST",
      body: { username: "plain-user", password: userPassword },
    });
    expect(plain.status).toBe(403);
    expect(plain.body).toEqual({
      code: "permission_denied",
      message: "account lacks the admin role",
    });
    expect(plain.headers.get("set-cookie")).toBeNull();
    const wrong = await call("/api/session", {
      method: "POST",
      body: { username: "plain-user", password: "not the password at all" },
    });
    expect(wrong.status).toBe(401);
    expect((wrong.body as Json).code).toBe("unauthenticated");
  });

  test("every /api route but sign-in needs a session, and logout ends it", async () => {
    expect((await call("/api/overview")).status).toBe(401);
    expect(
      (await call("/api/session", { cookie: `microtodo_admin=${"x".repeat(43)}` }))
        .status,
    ).toBe(401);
    const cookie = await signIn();
    expect((await call("/api/overview", { cookie })).status).toBe(200);
    const out = await call("/api/session", { method: "DELETE", cookie });
    expect(out.status).toBe(204);
    const cleared = (out.headers.get("set-cookie") ?? "").split("; ");
    expect(cleared[0]).toBe("microtodo_admin=");
    expect(cleared).toEqual(
      expect.arrayContaining(["Max-Age=0", "HttpOnly", "Path=/", "SameSite=Strict"]),
    );
    expect((await call("/api/overview", { cookie })).status).toBe(401);
    expect((await call("/api/session", { cookie })).body).toMatchObject({
      code: "unauthenticated",
    });
  });

  test("writes that are not JSON or come from another origin are refused", async () => {
    const form = await call("/api/session", {
      method: "POST",
      body: "username=admin&password=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(403);
    expect(form.body).toMatchObject({ code: "permission_denied" });
    const foreign = await call("/api/session", {
      method: "POST",
      body: { username: "admin", password: adminPassword },
      headers: { origin: "http://evil.example" },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("set-cookie")).toBeNull();
    const own = await call("/api/session", {
      method: "POST",
      body: { username: "admin", password: adminPassword },
      headers: { origin: adminUrl },
    });
    expect(own.status).toBe(200);
  });

  test("every response carries the CSP and the other security headers", async () => {
    for (const path of ["/", "/signin", "/api/session", "/healthz"]) {
      const answer = await call(path);
      expect(answer.headers.get("content-security-policy")).toBe(contentSecurityPolicy);
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
    }
    expect(contentSecurityPolicy).toContain("script-src 'self'");
    expect(contentSecurityPolicy).toContain("frame-ancestors 'none'");
    expect((await call("/api/session")).headers.get("cache-control")).toBe("no-store");
  });
});

describe("health and balancing", () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = await signIn();
  });

  test("the overview lists every service type and every instance", async () => {
    const { instances } = await registry().listInstances({});
    const overview = (await call("/api/overview", { cookie })).body as {
      types: Json[];
      instances: Json[];
    };
    expect(overview.types.map((t) => t.name).sort()).toEqual([
      "admin",
      "auth",
      "logger",
      "todo",
    ]);
    expect(overview.types.find((t) => t.name === "todo")).toMatchObject({
      visibility: "public",
      instanceCount: 2,
      httpRoutes: ["/api/todos"],
    });
    expect(overview.instances.map((i) => i.id).sort()).toEqual(
      instances.map((i) => i.id).sort(),
    );
    const admin = overview.instances.find((i) => i.serviceType === "admin");
    expect(admin).toMatchObject({ visibility: "admin", source: "self", draining: false });
    expect(admin?.stats).toMatchObject({ requests: expect.any(Number) });
  });

  test("setting a weight and draining change what the registry reports", async () => {
    const { instances } = await registry().listInstances({ serviceType: "todo" });
    const id = instances[0]?.id ?? "";
    const path = `/api/instances/${encodeURIComponent(id)}`;
    const weighed = await call(`${path}/weight`, {
      method: "POST",
      cookie,
      body: { weight: 700 },
    });
    expect(weighed.status).toBe(200);
    expect((weighed.body as { instance: Json }).instance).toMatchObject({
      id,
      weight: 700,
    });
    const drained = await call(`${path}/drain`, {
      method: "POST",
      cookie,
      body: { draining: true },
    });
    expect((drained.body as { instance: Json }).instance).toMatchObject({
      draining: true,
    });
    const after = (await registry().listInstances({ serviceType: "todo" })).instances;
    expect(after.find((i) => i.id === id)).toMatchObject({ weight: 700, draining: true });
    await call(`${path}/drain`, { method: "POST", cookie, body: { draining: false } });
    await call(`${path}/weight`, {
      method: "POST",
      cookie,
      body: { weight: instances[0]?.weight },
    });
    const detail = await call(path, { cookie });
    expect(detail.status).toBe(200);
    expect((detail.body as { instance: Json }).instance).toMatchObject({
      draining: false,
    });
    expect((await call("/api/instances/todo%40nowhere%3A1", { cookie })).status).toBe(
      404,
    );
  });

  test("traffic samples show requests per second and p99 after calls through the registry", async () => {
    const auth = publicAuth();
    let calling = true;
    // About 40 calls a second: plenty for a rate, gentle on two shared cores.
    const load = (async () => {
      while (calling) {
        await auth.getPublicKeys({}).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    try {
      const traffic = await until(
        async () =>
          (await call("/api/traffic?seconds=60", { cookie })).body as {
            stepMs: number;
            instances: Record<string, { serviceType: string; points: Json[] }>;
          },
        (body) =>
          Object.values(body.instances).some(
            (s) =>
              s.serviceType === "auth" &&
              s.points.some((p) => (p.rps as number) > 1 && typeof p.p99Ms === "number"),
          ),
      );
      expect(traffic.stepMs).toBe(2000);
      const [id, series] =
        Object.entries(traffic.instances).find(([, s]) => s.serviceType === "auth") ?? [];
      const point = series?.points.find((p) => (p.rps as number) > 1);
      expect(point).toMatchObject({ errorRate: 0, t: expect.any(Number) });
      expect(point?.p99Ms).toBeGreaterThan(0);
      const detail = await call(`/api/instances/${encodeURIComponent(id ?? "")}`, {
        cookie,
      });
      expect((detail.body as { traffic: Json[] }).traffic.length).toBeGreaterThan(0);
      expect((detail.body as { history: Json[] }).history[0]).toMatchObject({
        health: "healthy",
      });
    } finally {
      calling = false;
      await load;
    }
  }, 60_000);

  test("the event stream sends the instances, synced, then traffic", async () => {
    const stream = await openSse(`${adminUrl}/api/events`, { cookie });
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
      expect(stream.headers.get("content-security-policy")).toBe(contentSecurityPolicy);
      await stream.waitFor((e) => e.event === "synced");
      const added = stream.events.filter((e) => e.event === "instance");
      expect(added.length).toBeGreaterThanOrEqual(5);
      expect(JSON.parse(added[0]?.data ?? "{}")).toMatchObject({ kind: "added" });
      const tick = await stream.waitFor((e) => e.event === "traffic");
      expect(JSON.parse(tick.data)).toMatchObject({ t: expect.any(Number) });
    } finally {
      stream.close();
    }
  });

  test("the event stream brings each newer health check though the registry announces none", async () => {
    // The registry's watch is silent about checks that change no verdict
    // (issue #8: the overview's "check ok · 16:23:08" stood still).
    const stream = await openSse(`${adminUrl}/api/events`, { cookie });
    try {
      await stream.waitFor((e) => e.event === "synced");
      const logger = stream.events
        .filter((e) => e.event === "instance")
        .map(instanceData)
        .find((d) => d.instance.serviceType === "logger")?.instance;
      const checkedAtMs = Date.parse(logger?.lastCheck?.time ?? "");
      expect(checkedAtMs).toBeGreaterThan(0);
      const later = await stream.waitFor(
        (e) =>
          e.event === "instance" &&
          instanceData(e).kind === "updated" &&
          instanceData(e).instance.id === logger?.id &&
          Date.parse(instanceData(e).instance.lastCheck?.time ?? "") > checkedAtMs,
        15_000,
      );
      // Nothing else about the instance changed.
      expect(instanceData(later).instance).toMatchObject({
        health: logger?.health,
        weight: logger?.weight,
        draining: logger?.draining,
      });
    } finally {
      stream.close();
    }
  });

  test("a session may hold eight live streams; the ninth is refused with 429", async () => {
    const own = await signIn();
    const streams: SseReader[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        const stream = await openSse(`${adminUrl}/api/events`, { cookie: own });
        streams.push(stream);
        expect(stream.status).toBe(200);
      }
      const ninth = await call("/api/events", { cookie: own });
      expect(ninth.status).toBe(429);
      expect(ninth.body).toMatchObject({ code: "resource_exhausted" });
    } finally {
      for (const stream of streams) stream.close();
    }
    // Closed streams give their places back.
    await until(
      async () => {
        const stream = await openSse(`${adminUrl}/api/events`, { cookie: own });
        stream.close();
        return stream.status;
      },
      (status) => status === 200,
    );
  });
});

describe("logs", () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = await signIn();
  });

  test("a record a service logged can be found", async () => {
    const page = await until(
      async () =>
        (
          await call("/api/logs?service=admin&text=operator%20signed%20in&limit=5", {
            cookie,
          })
        ).body as { records: Json[]; nextCursor: string },
      (body) => body.records.length > 0,
    );
    expect(page.records[0]).toMatchObject({
      serviceType: "admin",
      level: "info",
      message: "operator signed in",
      fields: { user: "admin" },
      cursor: expect.any(String),
    });
    // Nothing secret is ever logged.
    expect(JSON.stringify(page.records)).not.toContain(adminPassword);
    const sources = (await call("/api/logs/sources", { cookie })).body as {
      sources: Json[];
    };
    expect(sources.sources.map((s) => s.serviceType)).toContain("auth");
    // The UI finds an instance's logs through its `instance` label.
    const overview = (await call("/api/overview", { cookie })).body as {
      instances: { serviceType: string; metadata: Record<string, string> }[];
    };
    const adminInstance = overview.instances.find((i) => i.serviceType === "admin");
    expect(
      sources.sources.filter((s) => s.serviceType === "admin").map((s) => s.instance),
    ).toContain(adminInstance?.metadata.instance);
    const stats = (await call("/api/logs/stats?service=admin", { cookie })).body as {
      bucketMs: number;
      buckets: { counts: Record<string, number> }[];
    };
    expect(stats.bucketMs).toBe(60_000);
    expect(stats.buckets.some((b) => (b.counts.info ?? 0) > 0)).toBe(true);
  });

  test("the tail delivers new records and resumes after Last-Event-ID with no gap or duplicate", async () => {
    const { instances } = await registry().listInstances({ serviceType: "todo" });
    const target = instances[1];
    const weightPath = `/api/instances/${encodeURIComponent(target?.id ?? "")}/weight`;
    const setWeight = (weight: number) =>
      call(weightPath, { method: "POST", cookie, body: { weight } });
    const tailUrl = `${adminUrl}/api/logs/tail?service=admin&text=weight%20set`;
    const weightOf = (data: string) =>
      (JSON.parse(data) as { fields: Json }).fields.weight;

    const first = await openSse(tailUrl, { cookie });
    let lastId: string | undefined;
    try {
      expect(first.status).toBe(200);
      await setWeight(101);
      await setWeight(102);
      const second = await first.waitFor(
        (e) => e.event === "record" && weightOf(e.data) === 102,
      );
      const records = first.events
        .filter((e) => e.event === "record")
        .map((e) => weightOf(e.data));
      expect(records).toEqual([101, 102]);
      lastId = second.id;
    } finally {
      first.close();
    }
    // Records logged while no one was listening.
    await setWeight(103);
    await setWeight(104);
    await setWeight(target?.weight ?? 100);
    const resumed = await openSse(tailUrl, { cookie, "last-event-id": lastId ?? "" });
    try {
      await resumed.waitFor(
        (e) => e.event === "record" && weightOf(e.data) === (target?.weight ?? 100),
      );
      const records = resumed.events.filter((e) => e.event === "record");
      expect(records.map((e) => weightOf(e.data))).toEqual([
        103,
        104,
        target?.weight ?? 100,
      ]);
      expect(new Set(records.map((e) => e.id)).size).toBe(3);
      expect(records.map((e) => e.id)).not.toContain(lastId);
    } finally {
      resumed.close();
    }
  });
});

describe("input validation", () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = await signIn();
  });

  test("errors name the field and the limit", async () => {
    const id = encodeURIComponent(
      (await registry().listInstances({ serviceType: "todo" })).instances[0]?.id ?? "",
    );
    const cases: [string, { method?: string; body?: unknown }, RegExp][] = [
      [
        `/api/instances/${id}/weight`,
        { method: "POST", body: { weight: 5000 } },
        /^weight: .*1000/,
      ],
      [
        `/api/instances/${id}/weight`,
        { method: "POST", body: { weight: "10" } },
        /^weight: /,
      ],
      [
        `/api/instances/${id}/drain`,
        { method: "POST", body: { draining: "yes" } },
        /^draining: /,
      ],
      [
        `/api/instances/${id}/drain`,
        { method: "POST", body: { draining: true, extra: 1 } },
        /^extra: unknown body field/,
      ],
      ["/api/traffic?seconds=abc", {}, /^seconds: /],
      ["/api/traffic?seconds=601", {}, /^seconds: .*600/],
      ["/api/logs?level=loud", {}, /^level: must be one of trace/],
      [`/api/logs?text=${"x".repeat(201)}`, {}, /^text: .*200 characters/],
      ["/api/logs?since=yesterday", {}, /^since: .*ISO-8601/],
      [
        "/api/logs?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z",
        {},
        /^since: must be before until/,
      ],
      ["/api/logs?limit=0", {}, /^limit: /],
      ["/api/logs?color=red", {}, /^color: unknown query field/],
      ["/api/logs/stats?bucketMs=10", {}, /^bucketMs: must be at least 1000/],
      ["/api/session", { method: "POST", body: { username: "admin" } }, /^password: /],
      ["/api/session", { method: "POST", body: "{not json" }, /^body: /],
      [
        "/api/session",
        { method: "POST", body: { username: "a", password: "p".repeat(17_000) } },
        /^body: must be at most 16384 bytes/,
      ],
    ];
    for (const [path, init, message] of cases) {
      const answer = await call(path, { ...init, cookie });
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      expect((answer.body as Json).code).toBe("invalid_argument");
      expect((answer.body as Json).message).toMatch(message);
    }
  });
});

// An admin server built in this process, against the same stack: its
// session clock is the test's, and its front end is a directory the
// test writes.
describe("in-process admin server", () => {
  const idleMs = 60_000;
  const lifetimeMs = 600_000;
  const webDir = join(mkdtempSync(join(tmpdir(), "microtodo-admin-web-")), "web");
  let nowMs = Date.now();
  let admin: AdminApp;
  let url: string;

  beforeAll(async () => {
    admin = await createAdminApp({
      instance: "admin-in-process",
      logger: pino({ level: "silent" }),
      registryUrl: env.internalUrl,
      registrySecret: env.options.registrySecret,
      resolver: createRegistryClient({ registryUrl: env.internalUrl, secret: "" }),
      webDir,
      sessionIdleMs: idleMs,
      sessionMaxMs: lifetimeMs,
      sampleIntervalMs: 2_000,
      // Expired sessions are found within a quarter second, not half a minute.
      sessionSweepMs: 250,
      now: () => nowMs,
    });
    url = (await admin.server.listen({ host: "127.0.0.1", port: 0 })).url;
  });

  afterAll(async () => {
    await admin?.server.close({ timeoutMs: 1_000 });
    await admin?.stop();
    rmSync(dirname(webDir), { recursive: true, force: true });
  });

  const session = (cookie: string) => call("/api/session", { cookie, baseUrl: url });
  const openDashboard = async (cookie: string) => {
    const stream = await openSse(`${url}/api/events`, { cookie });
    expect(stream.status).toBe(200);
    await stream.waitFor((e) => e.event === "synced");
    return stream;
  };

  describe("session lifetime", () => {
    test("a session unused for longer than the idle timeout answers 401", async () => {
      const cookie = await signIn(url);
      nowMs += idleMs - 1_000;
      expect((await session(cookie)).status).toBe(200);
      nowMs += idleMs + 1;
      expect((await session(cookie)).body).toMatchObject({ code: "unauthenticated" });
    });

    test("an open dashboard keeps its session past the idle timeout, and idling counts again from its close", async () => {
      const signedInAtMs = nowMs;
      const cookie = await signIn(url);
      const dashboard = await openDashboard(cookie);
      try {
        nowMs += 3 * idleMs;
        const held = await session(cookie);
        expect(held.status).toBe(200);
        // While held, only the lifetime bounds the session.
        expect(held.body).toMatchObject({
          expiresAt: new Date(signedInAtMs + lifetimeMs).toISOString(),
        });
      } finally {
        dashboard.close();
      }
      await until(
        () => admin.sessions.peek(sessionIdOf(cookie))?.keepAlives,
        (holds) => holds === 0,
      );
      nowMs += idleMs + 1;
      expect((await session(cookie)).status).toBe(401);
    });

    test("an open dashboard ends with its session's lifetime", async () => {
      const cookie = await signIn(url);
      const dashboard = await openDashboard(cookie);
      try {
        nowMs += lifetimeMs + 1;
        // The sweep ends the session; its stream ends with it.
        await within(dashboard.ended, 10_000, "the dashboard's stream ending");
        expect((await session(cookie)).status).toBe(401);
      } finally {
        dashboard.close();
      }
    });

    test("signing out ends the session's live streams at once", async () => {
      const cookie = await signIn(url);
      const streams = [await openDashboard(cookie), await openDashboard(cookie)];
      try {
        const out = await call("/api/session", {
          method: "DELETE",
          cookie,
          baseUrl: url,
        });
        expect(out.status).toBe(204);
        // Well before the 15 s ping that would also notice.
        await within(
          Promise.all(streams.map((s) => s.ended)),
          10_000,
          "the session's streams ending",
        );
      } finally {
        for (const stream of streams) stream.close();
      }
    });
  });

  describe("static files", () => {
    const page = (path: string, headers: Record<string, string> = {}) =>
      call(path, { baseUrl: url, headers });

    test("without a built front end the page says how to build it", async () => {
      const answer = await page("/");
      expect(answer.status).toBe(503);
      expect(answer.body).toMatch(/not built.*make build/s);
      expect(answer.headers.get("content-security-policy")).toBe(contentSecurityPolicy);
    });

    test("a build appearing later is served at once: assets for a year, pages revalidated", async () => {
      mkdirSync(join(webDir, "assets"), { recursive: true });
      writeFileSync(join(webDir, "index.html"), "<!doctype html><title>admin</title>");
      writeFileSync(join(webDir, "assets", "app-1a2b3c.js"), "console.log(1);\n");
      writeFileSync(join(webDir, "robots.txt"), "User-agent: *\n");

      const index = await page("/");
      expect(index.status).toBe(200);
      expect(index.body).toContain("<title>admin</title>");
      expect(index.headers.get("content-type")).toMatch(/^text\/html/);
      expect(index.headers.get("cache-control")).toBe("no-cache");
      expect(index.headers.get("content-security-policy")).toBe(contentSecurityPolicy);
      expect(index.headers.get("x-content-type-options")).toBe("nosniff");

      const asset = await page("/assets/app-1a2b3c.js");
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toMatch(
        /^(text|application)\/javascript/,
      );
      expect(asset.headers.get("cache-control")).toBe(
        "public, max-age=31536000, immutable",
      );
      expect(asset.headers.get("referrer-policy")).toBe("no-referrer");

      const other = await page("/robots.txt");
      expect(other.body).toBe("User-agent: *\n");
      expect(other.headers.get("cache-control")).toBe("no-cache");

      const etag = index.headers.get("etag") ?? "";
      // A browser revalidating; without its own Cache-Control, fetch would
      // add "no-cache", which forbids a 304.
      const revalidation = { "if-none-match": etag, "cache-control": "max-age=0" };
      expect((await page("/", revalidation)).status).toBe(304);
    });

    test("client routes, unknown paths and dotfiles get index.html; unknown /api and /assets paths a 404", async () => {
      mkdirSync(webDir, { recursive: true });
      writeFileSync(join(webDir, "index.html"), "<!doctype html><title>admin</title>");
      writeFileSync(join(webDir, ".env"), "SECRET=1\n");
      for (const path of [
        "/signin",
        "/instances/todo%40h%3A1",
        "/logs?level=warn",
        "/.env",
      ]) {
        const answer = await page(path);
        expect({ path, status: answer.status }).toEqual({ path, status: 200 });
        expect(answer.body).toContain("<title>admin</title>");
        expect(answer.headers.get("cache-control")).toBe("no-cache");
      }
      const api = await page("/api/nothing-here");
      expect(api.status).toBe(404);
      expect(api.body).toEqual({
        code: "not_found",
        message: "no route GET /api/nothing-here",
      });
      expect(api.headers.get("cache-control")).toBe("no-store");
      const post = await call("/signin", { method: "POST", body: {}, baseUrl: url });
      expect(post.status).toBe(404);
      // A stale page asking for an asset of an older build gets a 404, not HTML.
      const staleAsset = await page("/assets/app-0ld.js");
      expect(staleAsset.status).toBe(404);
    });
  });
});
