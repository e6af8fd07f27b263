import { createServer, type IncomingHttpHeaders, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeServer,
  listen,
  type ProxyHarness,
  startProxy,
} from "./testing/proxy-harness.js";
import { localTarget, RoundRobinSelector } from "./testing/round-robin-selector.js";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("forwarded headers", () => {
  const seen: IncomingHttpHeaders[] = [];
  const upstream = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, {
      "content-type": "application/json",
      "x-upstream": "raw",
      "proxy-connection": "keep-alive",
      trailer: "x-never-sent",
    });
    res.end("{}");
  });
  let upstreamPort: number;
  let selector: RoundRobinSelector;
  let harness: ProxyHarness;

  beforeAll(async () => {
    upstreamPort = await listen(upstream);
    selector = new RoundRobinSelector()
      .addRoute("/", "echo")
      .setTargets("echo", [localTarget("echo", upstreamPort)]);
    harness = await startProxy(selector);
  });

  afterAll(async () => {
    await harness.close();
    await closeServer(upstream);
  });

  function call(headers: Record<string, string>) {
    return new Promise<IncomingHttpHeaders>((resolve, reject) => {
      const req = request(
        `${harness.http1Url}/echo.v1.Echo/Call`,
        { method: "POST", headers: { "content-type": "application/json", ...headers } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.headers));
        },
      );
      req.on("error", reject);
      req.end("{}");
    });
  }

  it("strips hop-by-hop request headers, including those named in Connection", async () => {
    await call({
      connection: "keep-alive, x-hop",
      "x-hop": "1",
      "keep-alive": "timeout=5",
      "proxy-authorization": "Basic c2VjcmV0",
      te: "trailers",
      "x-kept": "yes",
    });
    const headers = seen.at(-1) ?? {};
    expect(headers["x-hop"]).toBeUndefined();
    expect(headers["keep-alive"]).toBeUndefined();
    expect(headers["proxy-authorization"]).toBeUndefined();
    expect(headers.te).toBeUndefined();
    expect(headers["x-kept"]).toBe("yes");
    expect(headers.host).toBe(`127.0.0.1:${upstreamPort}`);
  });

  it("appends to x-forwarded-for and sets x-forwarded-host and -proto", async () => {
    await call({ "x-forwarded-for": "10.0.0.1", "x-forwarded-host": "spoofed.example" });
    const headers = seen.at(-1) ?? {};
    expect(headers["x-forwarded-for"]).toBe("10.0.0.1, 127.0.0.1");
    expect(headers["x-forwarded-host"]).toBe(`127.0.0.1:${harness.http1Port}`);
    expect(headers["x-forwarded-proto"]).toBe("http");
  });

  it("keeps a sane x-request-id and replaces a missing or odd one", async () => {
    await call({ "x-request-id": "req-42.a:b" });
    expect(seen.at(-1)?.["x-request-id"]).toBe("req-42.a:b");
    await call({ "x-request-id": "not sane; <script>" });
    expect(seen.at(-1)?.["x-request-id"]).toMatch(uuid);
    await call({});
    expect(seen.at(-1)?.["x-request-id"]).toMatch(uuid);
  });

  it("strips hop-by-hop response headers and keeps the rest", async () => {
    const headers = await call({});
    expect(headers["x-upstream"]).toBe("raw");
    expect(headers["proxy-connection"]).toBeUndefined();
    expect(headers.trailer).toBeUndefined();
  });

  it("picks with x-affinity-key, else the unverified sub of a Bearer token", async () => {
    const payload = Buffer.from(JSON.stringify({ sub: "user-7" })).toString("base64url");
    await call({
      "x-affinity-key": "list-9",
      authorization: `Bearer e30.${payload}.sig`,
    });
    expect(selector.picks.at(-1)?.key).toBe("list-9");
    await call({ authorization: `Bearer e30.${payload}.sig` });
    expect(selector.picks.at(-1)?.key).toBe("user-7");
    await call({});
    expect(selector.picks.at(-1)?.key).toBeUndefined();
  });
});
