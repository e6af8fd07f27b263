import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { HealthCheckResponse_ServingStatus } from "@microtodo/api/health";
import { type Catalog, HealthChecker } from "@microtodo/registry";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type KubernetesDiscovery,
  type KubernetesDiscoveryOptions,
  startKubernetesDiscovery,
} from "../../services/registry/src/discovery/kubernetes/index.js";
import {
  silentLogger,
  testCatalog,
} from "../../services/registry/src/test-support/catalog-fixtures.js";
import {
  startHealthServer,
  type TestHealthServer,
} from "../../services/registry/src/test-support/health-server.js";
import {
  type EndpointFixture,
  endpointSliceFixture,
  podFixture,
} from "../fake-kube/cluster-fixtures.js";
import { FakeKubeServer, RESOURCES } from "../fake-kube/fake-kube-server.js";
import type { KubeObject } from "../fake-kube/object-store.js";
import { startTestRegistry, until } from "./support/test-registry.js";
import { startUpstream } from "./support/upstream.js";

const namespace = "microtodo";
const fastTimings = {
  leaseDurationMs: 1500,
  renewDeadlineMs: 1000,
  retryPeriodMs: 200,
  restartBaseMs: 100,
  statusIntervalMs: 500,
} satisfies Partial<KubernetesDiscoveryOptions>;

let server: FakeKubeServer;
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  server = await new FakeKubeServer().start();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await server.close();
});

function discover(catalog: Catalog, identity = "registry-0"): KubernetesDiscovery {
  const discovery = startKubernetesDiscovery({
    catalog,
    kubeConfig: server.kubeConfig(namespace),
    namespace,
    logger: silentLogger,
    identity,
    ...fastTimings,
  });
  cleanups.push(() => discovery.stop());
  return discovery;
}

function newCatalog(): Catalog {
  const catalog = testCatalog({ initialHealth: "healthy" });
  cleanups.push(() => catalog.close());
  return catalog;
}

function addPod(name: string, ip: string, weight?: number): KubeObject {
  return server.store.create(RESOURCES.pods, namespace, podFixture(name, { ip, weight }));
}

function putSlice(
  name: string,
  port: number,
  endpoints: EndpointFixture[],
  type = "todo",
) {
  const slice = endpointSliceFixture({
    name,
    serviceType: type,
    port,
    endpoints,
    visibility: "public",
  });
  try {
    server.store.get(RESOURCES.endpointSlices, namespace, name);
    server.store.update(RESOURCES.endpointSlices, namespace, name, "main", (current) => ({
      ...slice,
      metadata: { ...current.metadata, ...slice.metadata },
    }));
  } catch {
    server.store.create(RESOURCES.endpointSlices, namespace, slice);
  }
}

function addresses(catalog: Catalog, type = "todo"): string[] {
  return [...catalog.instances(type)].map((instance) => instance.address).sort();
}

function serviceInstance(name: string) {
  return server.store.get(RESOURCES.serviceInstances, namespace, name) as KubeObject & {
    spec: { weight: number; draining: boolean };
    status?: { conditions?: Array<{ type: string; status: string; reason: string }> };
  };
}

function condition(name: string, type: string): string | undefined {
  const found = serviceInstance(name).status?.conditions?.find((c) => c.type === type);
  return found && `${found.status}/${found.reason}`;
}

describe("Kubernetes discovery", () => {
  it("adds ready endpoints of labelled slices and drops removed ones", async () => {
    putSlice("todo-abc", 9000, [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }]);
    server.store.create(RESOURCES.endpointSlices, namespace, {
      ...endpointSliceFixture({
        name: "other",
        serviceType: "x",
        port: 1,
        endpoints: [],
      }),
      metadata: { name: "other", labels: { "kubernetes.io/service-name": "other" } },
    });
    const catalog = newCatalog();
    await discover(catalog).ready;
    expect(addresses(catalog)).toEqual(["10.0.0.1:9000", "10.0.0.2:9000"]);
    const first = catalog.find("todo", "10.0.0.1", 9000);
    expect(first?.visibility).toBe("public");
    expect(first?.source).toBe("kubernetes");
    putSlice("todo-abc", 9000, [{ ip: "10.0.0.2" }, { ip: "10.0.0.3", ready: false }]);
    await until(() => addresses(catalog).join() === "10.0.0.2:9000", 5000);
    server.store.delete(RESOURCES.endpointSlices, namespace, "todo-abc");
    await until(() => catalog.size === 0, 5000);
  });

  it("adds ServiceInstances that carry their own address", async () => {
    const catalog = newCatalog();
    await discover(catalog).ready;
    server.store.create(RESOURCES.serviceInstances, namespace, {
      metadata: { name: "logger-external" },
      spec: {
        serviceType: "logger",
        visibility: "internal",
        weight: 50,
        address: "logs.example:8084",
      },
    });
    await until(() => catalog.find("logger", "logs.example", 8084)?.weight === 50, 5000);
    server.store.delete(RESOURCES.serviceInstances, namespace, "logger-external");
    await until(() => catalog.size === 0, 5000);
  });

  it("falls back to serving terminating endpoints when none is ready", async () => {
    const terminating = { ready: false, serving: true, terminating: true };
    putSlice("todo-abc", 9000, [
      { ip: "10.0.0.1", ...terminating },
      { ip: "10.0.0.2", ready: false, serving: false, terminating: true },
    ]);
    const catalog = newCatalog();
    await discover(catalog).ready;
    expect(addresses(catalog)).toEqual(["10.0.0.1:9000"]);
    putSlice("todo-abc", 9000, [{ ip: "10.0.0.1", ...terminating }, { ip: "10.0.0.3" }]);
    await until(() => addresses(catalog).join() === "10.0.0.3:9000", 5000);
  });

  it("creates owned ServiceInstances and applies weight and drain patches", async () => {
    const pod = addPod("todo-a", "10.0.0.1", 250);
    putSlice("todo-abc", 9000, [
      { ip: "10.0.0.1", pod: "todo-a", podUid: pod.metadata.uid },
    ]);
    const catalog = newCatalog();
    const discovery = discover(catalog);
    await discovery.ready;
    await until(() => discovery.leading());
    await until(() => catalog.find("todo", "10.0.0.1", 9000)?.weight === 250, 5000);
    const si = serviceInstance("todo-a");
    expect(si.metadata.ownerReferences?.[0]).toMatchObject({
      kind: "Pod",
      uid: pod.metadata.uid,
    });
    const instance = catalog.find("todo", "10.0.0.1", 9000);
    if (!instance) throw new Error("instance missing");
    instance.requests = 42;

    const api = server.kubeConfig(namespace).makeApiClient(CustomObjectsApi);
    await api.patchNamespacedCustomObject(
      {
        group: "microtodo.dev",
        version: "v1alpha1",
        namespace,
        plural: "serviceinstances",
        name: "todo-a",
        body: { spec: { weight: 600, draining: true } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await until(() => instance.weight === 600 && instance.draining, 5000);
    // The same object, counters intact: a patch is not a re-add.
    expect(catalog.find("todo", "10.0.0.1", 9000)).toBe(instance);
    expect(instance.requests).toBe(42);

    server.store.delete(RESOURCES.pods, namespace, "todo-a");
    expect(() => serviceInstance("todo-a")).toThrow(/not found/);
  });
});

describe("Kubernetes discovery leader", () => {
  let health: TestHealthServer;
  beforeEach(async () => {
    health = await startHealthServer();
    cleanups.push(() => health.close());
  });

  function checked(catalog: Catalog) {
    const checker = new HealthChecker({
      catalog,
      logger: silentLogger,
      intervalMs: 100,
      fallFailures: 1,
      risePasses: 1,
    });
    checker.start();
    cleanups.push(() => checker.stop());
  }

  it("writes status from one replica and hands over when it stops", async () => {
    const pod = addPod("todo-a", "127.0.0.1");
    putSlice("todo-abc", health.port, [
      { ip: "127.0.0.1", pod: "todo-a", podUid: pod.metadata.uid },
    ]);
    const catalogA = testCatalog();
    cleanups.push(() => catalogA.close());
    checked(catalogA);
    const a = discover(catalogA, "registry-a");
    await a.ready;
    await until(() => a.leading());
    // Replica B runs no health checks: whatever status it writes says Unknown.
    const b = discover(newCatalogPending(), "registry-b");
    await b.ready;

    await until(() => condition("todo-a", "Healthy") === "True/HealthCheckPassed", 5000);
    expect(condition("todo-a", "Ready")).toBe("True/Serving");
    health.status = HealthCheckResponse_ServingStatus.NOT_SERVING;
    await until(() => condition("todo-a", "Healthy") === "False/HealthCheckFailed", 5000);
    expect(b.leading()).toBe(false);
    expect(serviceInstance("todo-a").metadata.generation).toBe(1);

    await a.stop();
    await until(() => b.leading(), 5000);
    await until(() => condition("todo-a", "Healthy") === "Unknown/Pending", 5000);
    const lease = server.store.get(RESOURCES.leases, namespace, "microtodo-registry");
    expect((lease.spec as { holderIdentity: string }).holderIdentity).toBe("registry-b");

    putSlice("todo-abc", health.port, [
      { ip: "127.0.0.1", pod: "todo-a", podUid: pod.metadata.uid, ready: false },
    ]);
    await until(() => condition("todo-a", "Ready") === "False/EndpointNotReady", 5000);
  });

  it("takes over a lease whose holder stopped renewing only after it expires", async () => {
    server.store.create(RESOURCES.leases, namespace, {
      metadata: { name: "microtodo-registry" },
      spec: {
        holderIdentity: "registry-gone",
        leaseDurationSeconds: 15,
        renewTime: new Date().toISOString(),
        leaseTransitions: 3,
      },
    });
    const discovery = discover(newCatalog(), "registry-b");
    await discovery.ready;
    await new Promise((resolve) => setTimeout(resolve, 3 * fastTimings.retryPeriodMs));
    expect(discovery.leading()).toBe(false);
    await until(() => discovery.leading(), 10_000);
    const lease = server.store.get(RESOURCES.leases, namespace, "microtodo-registry");
    expect(lease.spec).toMatchObject({
      holderIdentity: "registry-b",
      leaseTransitions: 4,
    });
  });

  function newCatalogPending(): Catalog {
    const catalog = testCatalog({ initialHealth: "pending" });
    cleanups.push(() => catalog.close());
    return catalog;
  }
});

describe("Kubernetes discovery recovery", () => {
  async function running() {
    putSlice("todo-abc", 9000, [{ ip: "10.0.0.1" }]);
    const catalog = newCatalog();
    await discover(catalog).ready;
    const instance = catalog.find("todo", "10.0.0.1", 9000);
    if (!instance) throw new Error("instance missing");
    instance.requests = 7;
    return { catalog, instance };
  }

  async function expectRecovered(catalog: Catalog, instance: { requests: number }) {
    putSlice("todo-abc", 9000, [{ ip: "10.0.0.1" }, { ip: "10.0.0.9" }]);
    await until(() => addresses(catalog).includes("10.0.0.9:9000"), 10_000);
    expect(catalog.find("todo", "10.0.0.1", 9000)).toBe(instance);
    expect(instance.requests).toBe(7);
  }

  it("recovers after the watch socket drops", async () => {
    const { catalog, instance } = await running();
    server.dropWatches();
    await expectRecovered(catalog, instance);
  });

  it("recovers after the API server answers 500 to watch and list", async () => {
    const { catalog, instance } = await running();
    server.failRequests({ status: 500, pathIncludes: "endpointslices", times: 3 });
    server.dropWatches();
    await expectRecovered(catalog, instance);
  });

  it("relists periodically without replacing catalog instances", async () => {
    putSlice("todo-abc", 9000, [{ ip: "10.0.0.1" }]);
    const catalog = newCatalog();
    const discovery = startKubernetesDiscovery({
      catalog,
      kubeConfig: server.kubeConfig(namespace),
      namespace,
      logger: silentLogger,
      ...fastTimings,
      relistIntervalMs: 100,
    });
    cleanups.push(() => discovery.stop());
    await discovery.ready;
    const instance = catalog.find("todo", "10.0.0.1", 9000);
    if (!instance) throw new Error("instance missing");
    instance.requests = 7;
    const lists = () =>
      server.requests.filter((r) => r.startsWith("GET") && !r.includes("watch=")).length;
    const before = lists();
    await until(() => lists() >= before + 6);
    expect(catalog.find("todo", "10.0.0.1", 9000)).toBe(instance);
    expect(instance.requests).toBe(7);
  });

  it("recovers after 410 Gone by relisting", async () => {
    const { catalog, instance } = await running();
    server.expireWatches();
    await expectRecovered(catalog, instance);
  });
});

describe("Kubernetes discovery behind the proxy", () => {
  it("forwards calls to discovered endpoints and stops when one leaves", async () => {
    const reg = await startTestRegistry({
      MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "100",
      MICROTODO_REGISTRY_SLOW_START_MS: "0",
    });
    cleanups.push(() => reg.close());
    const upstreams = await Promise.all(
      ["one", "two"].map((name) => startUpstream({ name, serviceType: "echo" })),
    );
    for (const upstream of upstreams) cleanups.push(() => upstream.close());
    for (const upstream of upstreams) {
      putSlice(`echo-${upstream.name}`, upstream.port, [{ ip: "127.0.0.1" }], "echo");
    }
    const catalog = reg.app.catalog;
    await discover(catalog).ready;
    await until(
      () => [...catalog.instances("echo")].filter((i) => i.eligible).length === 2,
    );
    const url = `${reg.publicUrl}/microtodo.echo.v1.EchoService/Say`;
    const names = async (calls: number) => {
      const seen = new Set<string>();
      for (let i = 0; i < calls; i++) {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        });
        await response.arrayBuffer();
        seen.add(`${response.status} ${response.headers.get("x-fixture-name")}`);
      }
      return [...seen].sort();
    };
    expect(await names(6)).toEqual(["200 one", "200 two"]);
    server.store.delete(RESOURCES.endpointSlices, namespace, "echo-two");
    await until(() => catalog.size === 1, 5000);
    expect(await names(6)).toEqual(["200 one"]);
  });
});
