import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyHarness, startProxy } from "./testing/proxy-harness.js";
import { localTarget, RoundRobinSelector } from "./testing/round-robin-selector.js";
import {
  checkOverGrpc,
  createGrpcHealthClient,
  type GrpcUpstream,
  type HealthClient,
  startGrpcUpstream,
} from "./testing/upstream-servers.js";

describe("proxy for gRPC over h2c", () => {
  let upstreams: GrpcUpstream[];
  let harness: ProxyHarness;
  let client: HealthClient;

  beforeAll(async () => {
    upstreams = await Promise.all(["a", "b", "c"].map((n) => startGrpcUpstream(n)));
    const selector = new RoundRobinSelector()
      .addRoute("/grpc.health.v1.Health/", "health")
      .setTargets(
        "health",
        upstreams.map((u) => localTarget("health", u.port)),
      );
    harness = await startProxy(selector);
    client = createGrpcHealthClient(`127.0.0.1:${harness.http2Port}`);
  });

  afterAll(async () => {
    client.close();
    await harness.close();
    await Promise.all(upstreams.map((u) => u.close()));
  });

  it("forwards a grpc-js unary call to a grpc-js server", async () => {
    expect(await checkOverGrpc(client)).toBe("SERVING");
  });

  it("spreads one HTTP/2 connection's 300 calls evenly over three instances", async () => {
    const before = upstreams.map((u) => u.metadata.length);
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 30 }, () => checkOverGrpc(client)));
    }
    const served = upstreams.map((u, i) => u.metadata.length - (before[i] as number));
    for (const count of served) {
      expect(count).toBeGreaterThanOrEqual(99);
      expect(count).toBeLessThanOrEqual(101);
    }
  });

  it("streams server-streaming answers and forwards the trailers", async () => {
    const call = client.Watch({ service: "" });
    const statuses: string[] = [];
    call.on("data", (msg: { status: string }) => statuses.push(msg.status));
    const status = await new Promise<grpc.StatusObject>((resolve) =>
      call.on("status", resolve),
    );
    expect(statuses).toEqual(["SERVING", "NOT_SERVING", "SERVING"]);
    expect(status.code).toBe(grpc.status.OK);
    expect(["a", "b", "c"]).toContain(status.metadata.get("x-upstream")[0]);
  });

  it("passes an instance's error status and message through", async () => {
    for (const u of upstreams) {
      u.failCheckWith = grpc.status.NOT_FOUND;
    }
    try {
      const err = await checkOverGrpc(client).catch((e: grpc.ServiceError) => e);
      expect(err).toMatchObject({ code: grpc.status.NOT_FOUND });
      expect((err as grpc.ServiceError).details).toMatch(/^[abc] says no$/);
    } finally {
      for (const u of upstreams) {
        u.failCheckWith = undefined;
      }
    }
  });

  it("hands the instance x-request-id and x-forwarded-* metadata", async () => {
    const metadata = new grpc.Metadata();
    metadata.set("x-request-id", "trace-123");
    await checkOverGrpc(client, metadata);
    const seen = upstreams
      .flatMap((u) => u.metadata)
      .find((m) => m.get("x-request-id")[0] === "trace-123");
    expect(seen?.get("x-forwarded-for")[0]).toBe("127.0.0.1");
    expect(seen?.get("x-forwarded-proto")[0]).toBe("http");
    expect(seen?.get("x-forwarded-host")[0]).toBe(`127.0.0.1:${harness.http2Port}`);
  });
});
