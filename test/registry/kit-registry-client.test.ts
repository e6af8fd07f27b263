import { createServer } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { createRegistryClient, startRegistration } from "@microtodo/kit";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import {
  startTestRegistry,
  type TestRegistry,
  testSecret,
  until,
} from "./support/test-registry.js";

const logger = pino({ level: "silent" });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function registryOn(
  port: number,
  env: Record<string, string> = {},
): Promise<TestRegistry> {
  const registry = await startTestRegistry({
    MICROTODO_INTERNAL_PORT: String(port),
    MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "0",
    ...env,
  });
  cleanups.push(() => registry.close());
  return registry;
}

const spec = {
  serviceType: "echo",
  address: "127.0.0.1:4001",
  visibility: "public",
} as const;

describe("kit registry client", () => {
  it("keeps registering with backoff until the registry answers", async () => {
    const port = await freePort();
    const client = createRegistryClient({
      registryUrl: `http://127.0.0.1:${port}`,
      secret: testSecret,
    });
    const registration = startRegistration({
      client,
      spec,
      logger,
      initialBackoffMs: 20,
      maxBackoffMs: 100,
    });
    cleanups.push(() => registration.stop());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(registration.lease).toBeUndefined();
    const registry = await registryOn(port);
    await registration.registered;
    expect(registration.lease?.instanceId).toBe("echo@127.0.0.1:4001");
    expect(registry.app.catalog.size).toBe(1);
  });

  it("registers again when a restarted registry has forgotten the lease", async () => {
    const port = await freePort();
    const env = { MICROTODO_REGISTRY_HEARTBEAT_INTERVAL_MS: "50" };
    const first = await startTestRegistry({
      MICROTODO_INTERNAL_PORT: String(port),
      ...env,
    });
    const client = createRegistryClient({
      registryUrl: first.internalUrl,
      secret: testSecret,
    });
    const registration = startRegistration({
      client,
      spec,
      logger,
      initialBackoffMs: 20,
    });
    cleanups.push(() => registration.stop());
    await registration.registered;
    const firstLease = registration.lease?.leaseId;
    await first.close();
    const second = await registryOn(port, env);
    await until(() => second.app.catalog.size === 1);
    await until(() => registration.lease !== undefined);
    expect(registration.lease?.leaseId).not.toBe(firstLease);
  });

  it("deregisters on stop", async () => {
    const registry = await registryOn(0);
    const client = createRegistryClient({
      registryUrl: registry.internalUrl,
      secret: testSecret,
    });
    const registration = startRegistration({ client, spec, logger });
    await registration.registered;
    expect(registry.app.catalog.size).toBe(1);
    await registration.stop();
    expect(registry.app.catalog.size).toBe(0);
  });

  it("resolves a type to a URL and reuses the answer for a while", async () => {
    const registry = await registryOn(0, {
      MICROTODO_REGISTRY_DEFAULT_BALANCER: "round-robin",
      MICROTODO_REGISTRY_SLOW_START_MS: "0",
    });
    const secret = { headers: { authorization: `Bearer ${testSecret}` } };
    for (const address of ["127.0.0.1:4001", "127.0.0.1:4002"]) {
      await registry.internalClient.register({ ...spec, visibility: 1, address }, secret);
    }
    const client = createRegistryClient({
      registryUrl: registry.internalUrl,
      secret: testSecret,
      resolveCacheMs: 60_000,
    });
    const url = await client.resolveUrl("echo");
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:400[12]$/);
    expect(await client.resolveUrl("echo")).toBe(url);
    client.forget("echo");
    expect(await client.resolveUrl("echo")).not.toBe(url);
    const failure = await client
      .resolve("nope")
      .catch((err: unknown) => ConnectError.from(err));
    expect(failure).toBeInstanceOf(ConnectError);
    expect((failure as ConnectError).code).toBe(Code.NotFound);
  });

  it("makes a disabled client when the registry URL is empty", async () => {
    const client = createRegistryClient({ registryUrl: "", secret: "" });
    expect(client.enabled).toBe(false);
    const registration = startRegistration({ client, spec, logger });
    await registration.registered;
    expect(registration.lease).toBeUndefined();
    const failure = await client
      .resolveUrl("echo")
      .catch((err: unknown) => ConnectError.from(err));
    expect((failure as ConnectError).code).toBe(Code.Unavailable);
  });
});
