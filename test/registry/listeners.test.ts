import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "@microtodo/api/health";
import { RegistryService, Visibility } from "@microtodo/api/registry";
import { afterEach, describe, expect, it } from "vitest";
import {
  startTestRegistry,
  type TestRegistry,
  until,
  withSecret,
} from "./support/test-registry.js";

let reg: TestRegistry | undefined;
afterEach(async () => {
  await reg?.close();
  reg = undefined;
});

describe("registry listeners", () => {
  it("serve probes and metrics on both listeners", async () => {
    reg = await startTestRegistry({ MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "0" });
    await reg.internalClient.register(
      { serviceType: "echo", address: "127.0.0.1:4001", visibility: Visibility.PUBLIC },
      withSecret,
    );
    for (const baseUrl of [reg.publicUrl, reg.internalUrl]) {
      expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
      expect(metrics).toContain(
        'microtodo_registry_instances{service_type="echo",health="healthy"} 1',
      );
    }
  });

  it("answer their own RPCs over gRPC on HTTP/2", async () => {
    reg = await startTestRegistry({ MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "0" });
    const transport = createGrpcTransport({ baseUrl: reg.internalUrl });
    const health = await createClient(Health, transport).check({ service: "" });
    expect(health.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    const registry = createClient(RegistryService, transport);
    await registry.register(
      { serviceType: "echo", address: "127.0.0.1:4001", visibility: Visibility.PUBLIC },
      withSecret,
    );
    const { serviceTypes } = await registry.listServiceTypes({});
    expect(serviceTypes.map((type) => [type.name, type.balancer])).toEqual([
      ["echo", "weighted-round-robin"],
    ]);
  });

  it("end open watch streams when the registry shuts down", async () => {
    const started = await startTestRegistry({
      MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "0",
    });
    let events = 0;
    const watching = (async () => {
      for await (const _ of started.publicClient.watchInstances({})) events++;
    })();
    await until(() => events === 1);
    const closing = Date.now();
    await started.app.close(10_000);
    await watching;
    // Well before the 10 s drain deadline: the stream ended on its own.
    expect(Date.now() - closing).toBeLessThan(5000);
  });
});
