import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyHarness, startProxy } from "./testing/proxy-harness.js";
import { localTarget, RoundRobinSelector } from "./testing/round-robin-selector.js";
import {
  type ConnectUpstream,
  startConnectUpstream,
} from "./testing/upstream-servers.js";

// A Node instance closes an idle keep-alive socket after 5 s. Calling it
// every ~5 s lands each call right where a proxy that kept the socket
// longer would write into a socket being closed.
describe("pooled connections and the instance's keep-alive timeout", () => {
  let upstream: ConnectUpstream;
  let selector: RoundRobinSelector;
  let harness: ProxyHarness;

  beforeAll(async () => {
    upstream = await startConnectUpstream("ka", 5000);
    selector = new RoundRobinSelector()
      .addRoute("/grpc.health.v1.Health/", "health")
      .setTargets("health", [localTarget("health", upstream.port)]);
    harness = await startProxy(selector);
  });

  afterAll(async () => {
    await harness.close();
    await upstream.close();
  });

  it("shows no reset errors when an instance with a 5 s keep-alive is called every 5 s", async () => {
    for (let i = 0; i < 4; i++) {
      if (i > 0) {
        await sleep(5000);
      }
      const res = await fetch(`${harness.http1Url}/grpc.health.v1.Health/Check`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(res.status).toBe(200);
      await res.text();
    }
    expect(selector.finished).toHaveLength(4);
    expect(selector.finished.every((f) => !f.outcome.failed && !f.outcome.notSent)).toBe(
      true,
    );
    expect(await harness.registry.metrics()).not.toMatch(
      /registry_proxy_retries_total\{/,
    );
  }, 40_000);
});
