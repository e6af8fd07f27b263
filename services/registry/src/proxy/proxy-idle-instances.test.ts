import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyHarness, startProxy } from "./testing/proxy-harness.js";
import { localTarget, RoundRobinSelector } from "./testing/round-robin-selector.js";
import {
  type ConnectUpstream,
  startConnectUpstream,
} from "./testing/upstream-servers.js";

describe("instances nobody calls", () => {
  let upstream: ConnectUpstream;
  let harness: ProxyHarness;

  beforeAll(async () => {
    upstream = await startConnectUpstream("idle");
    const selector = new RoundRobinSelector()
      .addRoute("/", "health")
      .setTargets("health", [localTarget("health", upstream.port)]);
    harness = await startProxy(selector, "public", { forgetInstanceAfterMs: 2000 });
  });

  afterAll(async () => {
    await harness.close();
    await upstream.close();
  });

  it("are forgotten, pool and metric series, after forgetInstanceAfterMs", async () => {
    const res = await fetch(`${harness.http1Url}/grpc.health.v1.Health/Check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    await res.text();
    const series = /registry_proxy_active_requests\{type="health",instance="health@/;
    expect(await harness.registry.metrics()).toMatch(series);
    let forgotten = false;
    for (let i = 0; i < 40 && !forgotten; i++) {
      await sleep(100);
      forgotten = !series.test(await harness.registry.metrics());
    }
    expect(forgotten).toBe(true);
  }, 15_000);
});
