import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "@microtodo/api/health";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyHarness, startProxy } from "./testing/proxy-harness.js";
import { localTarget, RoundRobinSelector } from "./testing/round-robin-selector.js";
import {
  type ConnectUpstream,
  startConnectUpstream,
} from "./testing/upstream-servers.js";

const { SERVING, NOT_SERVING } = HealthCheckResponse_ServingStatus;

describe("proxy over HTTP/1.1", () => {
  let upstreams: ConnectUpstream[];
  let selector: RoundRobinSelector;
  let harness: ProxyHarness;

  beforeAll(async () => {
    upstreams = await Promise.all(["a", "b", "c"].map((n) => startConnectUpstream(n)));
    selector = new RoundRobinSelector()
      .addRoute("/grpc.health.v1.Health/", "health")
      .setTargets(
        "health",
        upstreams.map((u) => localTarget("health", u.port)),
      );
    harness = await startProxy(selector);
  });

  afterAll(async () => {
    await harness.close();
    await Promise.all(upstreams.map((u) => u.close()));
  });

  function healthClient(transport: "json" | "binary" | "grpc-web") {
    const baseUrl = harness.http1Url;
    const t =
      transport === "grpc-web"
        ? createGrpcWebTransport({ baseUrl, httpVersion: "1.1" })
        : createConnectTransport({
            baseUrl,
            httpVersion: "1.1",
            useBinaryFormat: transport === "binary",
          });
    return createClient(Health, t);
  }

  it("forwards Connect unary calls in JSON", async () => {
    const res = await healthClient("json").check({ service: "" });
    expect(res.status).toBe(SERVING);
  });

  it("forwards Connect unary calls in binary", async () => {
    const res = await healthClient("binary").check({ service: "" });
    expect(res.status).toBe(SERVING);
  });

  it("streams Connect server-streaming answers message by message", async () => {
    const statuses: number[] = [];
    for await (const res of healthClient("json").watch({ service: "" })) {
      statuses.push(res.status);
    }
    expect(statuses).toEqual([SERVING, NOT_SERVING, SERVING]);
  });

  it("forwards gRPC-Web unary and streaming calls", async () => {
    const client = healthClient("grpc-web");
    expect((await client.check({ service: "" })).status).toBe(SERVING);
    const statuses: number[] = [];
    for await (const res of client.watch({ service: "" })) {
      statuses.push(res.status);
    }
    expect(statuses).toEqual([SERVING, NOT_SERVING, SERVING]);
  });

  it("picks an instance per request, in the selector's order", async () => {
    const before = upstreams.map((u) => u.requests.length);
    const client = healthClient("json");
    for (let i = 0; i < 30; i++) {
      await client.check({ service: "" });
    }
    const served = upstreams.map((u, i) => u.requests.length - (before[i] as number));
    expect(served).toEqual([10, 10, 10]);
  });

  it("reports each call's outcome and latency to the selector", async () => {
    const finishedBefore = selector.finished.length;
    await healthClient("json").check({ service: "" });
    const last = selector.finished.slice(finishedBefore);
    expect(last).toHaveLength(1);
    expect(last[0]?.outcome).toMatchObject({
      notSent: false,
      failed: false,
      status: 200,
    });
    expect(last[0]?.outcome.latencyMs).toBeGreaterThan(0);
  });

  it("counts calls per instance and code and their latency per type", async () => {
    await healthClient("json").check({ service: "" });
    const text = await harness.registry.metrics();
    expect(text).toMatch(
      /registry_proxy_requests_total\{type="health",instance="health@127\.0\.0\.1:\d+",code="ok"\} [1-9]/,
    );
    expect(text).toMatch(
      /registry_proxy_request_duration_seconds_count\{type="health"\} [1-9]/,
    );
    expect(text).toMatch(
      /registry_proxy_active_requests\{type="health",instance=".*"\} 0/,
    );
  });
});
