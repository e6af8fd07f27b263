import { createServer as createHttp2Server, type IncomingHttpHeaders } from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConnectTimeout, parseGrpcTimeout } from "./deadline.js";
import {
  closeHttp2Server,
  listen,
  type ProxyHarness,
  startProxy,
} from "./testing/proxy-harness.js";
import { http2Call } from "./testing/raw-clients.js";
import { localTarget, RoundRobinSelector } from "./testing/round-robin-selector.js";
import {
  type ConnectUpstream,
  startConnectUpstream,
} from "./testing/upstream-servers.js";

describe("call deadlines", () => {
  // An HTTP/2 instance that takes every call and never answers.
  const silentHttp2 = createHttp2Server();
  const seenByHttp2: IncomingHttpHeaders[] = [];
  let slowConnect: ConnectUpstream;
  let selector: RoundRobinSelector;
  let harness: ProxyHarness;

  beforeAll(async () => {
    silentHttp2.on("stream", (_stream, headers) => seenByHttp2.push(headers));
    const http2Port = await listen(silentHttp2);
    slowConnect = await startConnectUpstream("slow");
    slowConnect.delayMs = 5000;
    selector = new RoundRobinSelector()
      .addRoute("/grpc.health.v1.Health/", "health")
      .addRoute("/slow.v1.Slow/", "slow")
      .setTargets("health", [localTarget("health", http2Port)])
      .setTargets("slow", [localTarget("slow", slowConnect.port)]);
    harness = await startProxy(selector);
  });

  afterAll(async () => {
    await harness.close();
    await slowConnect.close();
    await closeHttp2Server(silentHttp2);
  });

  it("answers a gRPC call deadline_exceeded at its grpc-timeout and passes a smaller one on", async () => {
    const answer = await http2Call(harness.http2Url, {
      ":path": "/grpc.health.v1.Health/Check",
      "content-type": "application/grpc",
      te: "trailers",
      "grpc-timeout": "200m",
    });
    expect(answer.trailersOnly).toBe(true);
    expect(answer.headers["grpc-status"]).toBe("4");
    const forwarded = parseGrpcTimeout(String(seenByHttp2[0]?.["grpc-timeout"]));
    expect(forwarded).toBeGreaterThan(0);
    expect(forwarded).toBeLessThanOrEqual(200);
  });

  it("answers a Connect call deadline_exceeded at its connect-timeout-ms and passes a smaller one on", async () => {
    const res = await fetch(`${harness.http1Url}/slow.v1.Slow/Call`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-timeout-ms": "200" },
      body: "{}",
    });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ code: "deadline_exceeded" });
    const forwarded = parseConnectTimeout(
      String(slowConnect.requests[0]?.["connect-timeout-ms"]),
    );
    expect(forwarded).toBeGreaterThan(0);
    expect(forwarded).toBeLessThanOrEqual(200);
  });

  it("does not count a missed deadline against the instance", async () => {
    const outcomes = selector.finished.map((f) => f.outcome);
    expect(outcomes).toHaveLength(2);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ notSent: false, failed: false });
    }
  });
});
