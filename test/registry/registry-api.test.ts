import { Code, ConnectError } from "@connectrpc/connect";
import {
  ChangeKind,
  HealthState,
  type RegisterRequest,
  Visibility,
  type WatchInstancesResponse,
} from "@microtodo/api/registry";
import { afterEach, describe, expect, it } from "vitest";
import {
  registryClient,
  startTestRegistry,
  type TestRegistry,
  until,
  withSecret,
} from "./support/test-registry.js";
import { startUpstream, type Upstream } from "./support/upstream.js";

type RegisterInit = Partial<Omit<RegisterRequest, "$typeName">>;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function registry(env: Record<string, string> = {}): Promise<TestRegistry> {
  const started = await startTestRegistry(env);
  cleanups.push(() => started.close());
  return started;
}

async function upstream(options: Parameters<typeof startUpstream>[0]): Promise<Upstream> {
  const started = await startUpstream(options);
  cleanups.push(() => started.close());
  return started;
}

function registration(init: RegisterInit = {}) {
  return {
    serviceType: "echo",
    address: "127.0.0.1:4001",
    visibility: Visibility.PUBLIC,
    ...init,
  };
}

async function codeOf(call: Promise<unknown>): Promise<[Code, string]> {
  try {
    await call;
  } catch (err) {
    const error = ConnectError.from(err);
    return [error.code, error.rawMessage];
  }
  throw new Error("call succeeded");
}

describe("registry API", () => {
  it("lists an instance that registered through the kit client on both listeners", async () => {
    const reg = await registry({ MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "100" });
    const a = await upstream({
      name: "a",
      serviceType: "echo",
      registryUrl: reg.internalUrl,
      secret: "test-secret-0123456789abcdef",
    });
    await a.registration?.registered;
    await until(async () => {
      const { instances } = await reg.internalClient.listInstances({
        serviceType: "echo",
      });
      return instances[0]?.health === HealthState.HEALTHY;
    });
    const { instances } = await reg.publicClient.listInstances({ serviceType: "echo" });
    expect(instances).toHaveLength(1);
    expect(instances[0]).toMatchObject({
      id: `echo@${a.address}`,
      address: a.address,
      visibility: Visibility.PUBLIC,
      weight: 100,
      metadata: { name: "a" },
    });
    expect(instances[0]?.lastCheck?.ok).toBe(true);
  });

  it("requires the registration secret for every change", async () => {
    const reg = await registry({ MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "0" });
    const wrong = { headers: { authorization: "Bearer not-the-secret" } };
    expect(await codeOf(reg.internalClient.register(registration()))).toEqual([
      Code.Unauthenticated,
      "authorization: this call needs the registration secret as a Bearer token",
    ]);
    expect((await codeOf(reg.internalClient.register(registration(), wrong)))[0]).toBe(
      Code.Unauthenticated,
    );
    const { leaseId, instance } = await reg.internalClient.register(
      registration(),
      withSecret,
    );
    const id = instance?.id ?? "";
    for (const call of [
      reg.internalClient.setWeight({ instanceId: id, weight: 5 }),
      reg.internalClient.drain({ instanceId: id, draining: true }),
      reg.internalClient.deregister({ leaseId }),
    ]) {
      expect((await codeOf(call))[0]).toBe(Code.Unauthenticated);
    }
    expect(
      (await reg.internalClient.setWeight({ instanceId: id, weight: 5 }, withSecret))
        .instance?.weight,
    ).toBe(5);
  });

  it("refuses changes and heartbeats on the public listener, even with the secret", async () => {
    const reg = await registry({ MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "0" });
    const { leaseId } = await reg.internalClient.register(registration(), withSecret);
    expect(await codeOf(reg.publicClient.register(registration(), withSecret))).toEqual([
      Code.PermissionDenied,
      "Register is served on the internal listener only",
    ]);
    for (const call of [
      reg.publicClient.heartbeat({ leaseId }, withSecret),
      reg.publicClient.deregister({ leaseId }, withSecret),
      reg.publicClient.setWeight(
        { instanceId: "echo@127.0.0.1:4001", weight: 1 },
        withSecret,
      ),
      reg.publicClient.drain(
        { instanceId: "echo@127.0.0.1:4001", draining: true },
        withSecret,
      ),
    ]) {
      expect((await codeOf(call))[0]).toBe(Code.PermissionDenied);
    }
  });

  it("names the bad field in validation errors", async () => {
    const reg = await registry({ MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "0" });
    const cases: [RegisterInit, string][] = [
      [{ serviceType: "Echo" }, "service_type:"],
      [{ address: "127.0.0.1:99999" }, "address: port"],
      [{ address: "no port" }, "address:"],
      [{ weight: 1001 }, "weight: 1001 is outside 0..1000"],
      [{ visibility: Visibility.UNSPECIFIED }, "visibility:"],
      [{ httpRoutes: ["api"] }, "http_routes[0]:"],
    ];
    for (const [init, prefix] of cases) {
      const [code, message] = await codeOf(
        reg.internalClient.register(registration(init), withSecret),
      );
      expect(code).toBe(Code.InvalidArgument);
      expect(message.startsWith(prefix)).toBe(true);
    }
  });

  it("answers public queries about public types only", async () => {
    const reg = await registry({ MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "0" });
    await reg.internalClient.register(registration(), withSecret);
    await reg.internalClient.register(
      registration({ serviceType: "logs", visibility: Visibility.INTERNAL }),
      withSecret,
    );
    const publicTypes = await reg.publicClient.listServiceTypes({});
    expect(publicTypes.serviceTypes.map((t) => t.name)).toEqual(["echo"]);
    const internalTypes = await reg.internalClient.listServiceTypes({});
    expect(internalTypes.serviceTypes.map((t) => t.name)).toEqual(["echo", "logs"]);
    const all = await reg.publicClient.listInstances({});
    expect(all.instances.map((i) => i.serviceType)).toEqual(["echo"]);
    for (const call of [
      reg.publicClient.listInstances({ serviceType: "logs" }),
      reg.publicClient.resolve({ serviceType: "logs" }),
      reg.publicClient
        .watchInstances({ serviceType: "logs" })
        [Symbol.asyncIterator]()
        .next(),
    ]) {
      const [code, message] = await codeOf(call);
      expect(code).toBe(Code.PermissionDenied);
      expect(message).toMatch(/^service_type: type logs is internal/);
    }
    expect(
      (await reg.internalClient.resolve({ serviceType: "logs" })).instance?.serviceType,
    ).toBe("logs");
  });

  it("refuses a proxied call for an internal type on the public listener without reaching it", async () => {
    const reg = await registry({ MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "100" });
    const logs = await upstream({
      name: "logs-1",
      serviceType: "logs",
      visibility: "internal",
      registryUrl: reg.internalUrl,
      secret: "test-secret-0123456789abcdef",
    });
    await logs.registration?.registered;
    const call = (baseUrl: string) =>
      fetch(`${baseUrl}/microtodo.logs.v1.LoggerService/Push`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
    const refused = await call(reg.publicUrl);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("permission_denied");
    expect(logs.requests()).toBe(0);
    await until(async () => (await call(reg.internalUrl)).status === 200);
    expect(logs.requests()).toBeGreaterThan(0);
  });

  it("marks a silent instance unhealthy after its TTL, then removes it", async () => {
    const reg = await registry({
      MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "0",
      MICROTODO_REGISTRY_LEASE_TTL_MS: "300",
      MICROTODO_REGISTRY_REMOVE_AFTER_MS: "900",
    });
    const { ttlMs } = await reg.internalClient.register(registration(), withSecret);
    expect(ttlMs).toBe(300);
    const healthOf = async () =>
      (await reg.internalClient.listInstances({})).instances[0]?.health;
    expect(await healthOf()).toBe(HealthState.HEALTHY);
    await until(async () => (await healthOf()) === HealthState.UNHEALTHY);
    const [lapsed] = (await reg.internalClient.listInstances({})).instances;
    expect(lapsed?.healthReason).toMatch(
      /^lease expired: no heartbeat for \d+ ms \(ttl 300 ms\)/,
    );
    await until(async () => (await healthOf()) === undefined);
  });

  it("renews the same lease for the same type and address, and forgets unknown leases", async () => {
    const reg = await registry({ MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "0" });
    const first = await reg.internalClient.register(registration(), withSecret);
    const second = await reg.internalClient.register(
      registration({ weight: 7 }),
      withSecret,
    );
    expect(second.leaseId).toBe(first.leaseId);
    expect(second.instance?.weight).toBe(7);
    await reg.internalClient.heartbeat({ leaseId: first.leaseId });
    const [code, message] = await codeOf(
      reg.internalClient.heartbeat({ leaseId: "unknown" }),
    );
    expect(code).toBe(Code.NotFound);
    expect(message).toMatch(/^lease_id: .*register again$/);
  });

  it("streams ADDED, SYNCED, UPDATED and REMOVED to watchers", async () => {
    const reg = await registry({ MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "0" });
    const a = await reg.internalClient.register(registration(), withSecret);
    const abort = new AbortController();
    const events: WatchInstancesResponse[] = [];
    const watching = (async () => {
      const stream = registryClient(reg.publicUrl).watchInstances(
        { serviceType: "echo" },
        { signal: abort.signal },
      );
      for await (const event of stream) events.push(event);
    })().catch(() => {});
    await until(() => events.length === 2);
    const b = await reg.internalClient.register(
      registration({ address: "127.0.0.1:4002" }),
      withSecret,
    );
    await reg.internalClient.drain(
      { instanceId: a.instance?.id ?? "", draining: true },
      withSecret,
    );
    await reg.internalClient.deregister({ leaseId: b.leaseId }, withSecret);
    await until(() => events.length === 5);
    abort.abort();
    await watching;
    expect(events.map((e) => [ChangeKind[e.kind], e.instance?.address])).toEqual([
      ["ADDED", "127.0.0.1:4001"],
      ["SYNCED", undefined],
      ["ADDED", "127.0.0.1:4002"],
      ["UPDATED", "127.0.0.1:4001"],
      ["REMOVED", "127.0.0.1:4002"],
    ]);
    expect(events[3]?.instance?.draining).toBe(true);
  });
});
