import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ProxyHarness, startProxy } from "./testing/proxy-harness.js";
import { localTarget, RoundRobinSelector } from "./testing/round-robin-selector.js";
import {
  type ConnectUpstream,
  checkOverGrpc,
  closedPort,
  createGrpcHealthClient,
  type GrpcUpstream,
  startConnectUpstream,
  startGrpcUpstream,
} from "./testing/upstream-servers.js";

describe("the single retry", () => {
  let good: ConnectUpstream;
  let failing: ConnectUpstream;
  let grpcGood: GrpcUpstream;
  let refusingPort: number;
  let selector: RoundRobinSelector;
  let harness: ProxyHarness;

  beforeAll(async () => {
    [good, failing, grpcGood] = await Promise.all([
      startConnectUpstream("good"),
      startConnectUpstream("failing"),
      startGrpcUpstream("grpc-good"),
    ]);
    failing.failWithStatus = 500;
    refusingPort = await closedPort();
    selector = new RoundRobinSelector().addRoute("/grpc.health.v1.Health/", "health");
    harness = await startProxy(selector);
  });

  afterAll(async () => {
    await harness.close();
    await Promise.all([good.close(), failing.close(), grpcGood.close()]);
  });

  afterEach(() => {
    selector.finished.length = 0;
    good.requests.length = 0;
  });

  function check(body = "{}") {
    return fetch(`${harness.http1Url}/grpc.health.v1.Health/Check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
  }

  it("retries a refused connection on the next instance, reporting notSent for the first", async () => {
    const refused = localTarget("health", refusingPort);
    selector.setTargets("health", [refused, localTarget("health", good.port)]);
    const res = await check();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "SERVING" });
    expect(
      selector.finished.map((f) => [f.id, f.outcome.notSent, f.outcome.failed]),
    ).toEqual([
      [refused.id, true, true],
      [`health@127.0.0.1:${good.port}`, false, false],
    ]);
    expect(selector.picks.at(-1)?.excludeId).toBe(refused.id);
    expect(await harness.registry.metrics()).toMatch(
      /registry_proxy_retries_total\{type="health"\} 1/,
    );
  });

  // Regression: Connect's Node client sends small unary bodies chunked,
  // with no content-length, and those calls were never retried.
  it("retries a refused connection for a small chunked body, as Connect's Node client sends", async () => {
    const refused = localTarget("health", refusingPort);
    selector.setTargets("health", [refused, localTarget("health", good.port)]);
    const res = await fetch(`${harness.http1Url}/grpc.health.v1.Health/Check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Blob(["{}"]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "SERVING" });
    expect(selector.finished.map((f) => f.outcome.notSent)).toEqual([true, false]);
  });

  it("streams a chunked body past the retry limit through whole, without retrying", async () => {
    selector.setTargets("health", [localTarget("health", good.port)]);
    const big = `{"service":"${"y".repeat(70_000)}"}`;
    const res = await fetch(`${harness.http1Url}/grpc.health.v1.Health/Check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Blob([big]).stream(),
      duplex: "half",
    } as RequestInit);
    // The upstream parses the JSON, so a cut body would fail there.
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "SERVING" });
    expect(good.requests).toHaveLength(1);
    expect(selector.finished).toHaveLength(1);
  });

  it("does not retry a 500 answer", async () => {
    selector.setTargets("health", [
      localTarget("health", failing.port),
      localTarget("health", good.port),
    ]);
    const res = await check();
    expect(res.status).toBe(500);
    expect(good.requests).toHaveLength(0);
    expect(selector.finished).toHaveLength(1);
    expect(selector.finished[0]?.outcome).toMatchObject({
      notSent: false,
      failed: true,
      status: 500,
    });
  });

  it("does not retry a body too large to buffer", async () => {
    selector.setTargets("health", [
      localTarget("health", refusingPort),
      localTarget("health", good.port),
    ]);
    const res = await check(`{"service":"${"x".repeat(70_000)}"}`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: "unavailable" });
    expect(good.requests).toHaveLength(0);
  });

  it("answers unavailable when the retry fails too, warning once per second per instance", async () => {
    // A port of its own: earlier tests' warnings about refusingPort count.
    selector.setTargets("health", [localTarget("health", await closedPort())]);
    harness.warnings.length = 0;
    for (let i = 0; i < 3; i++) {
      const res = await check();
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        code: "unavailable",
        message: 'service type "health" did not answer: ECONNREFUSED',
      });
    }
    expect(harness.warnings).toHaveLength(1);
    expect(harness.warnings[0]?.msg).toBe("proxy call to instance failed");
  });

  it("retries a gRPC call whose first instance refuses the connection", async () => {
    selector.setTargets("health", [
      localTarget("health", refusingPort),
      localTarget("health", grpcGood.port),
    ]);
    const client = createGrpcHealthClient(`127.0.0.1:${harness.http2Port}`);
    try {
      expect(await checkOverGrpc(client)).toBe("SERVING");
      expect(selector.finished.map((f) => f.outcome.notSent)).toEqual([true, false]);
    } finally {
      client.close();
    }
  });
});
