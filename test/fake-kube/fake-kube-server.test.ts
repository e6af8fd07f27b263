import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
  Watch,
} from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { podFixture } from "./cluster-fixtures.js";
import { FakeKubeServer, RESOURCES } from "./fake-kube-server.js";

const namespace = "microtodo";
let server: FakeKubeServer;
let kc: KubeConfig;

beforeEach(async () => {
  server = await new FakeKubeServer({ historySize: 50, bookmarkIntervalMs: 100 }).start();
  kc = server.kubeConfig(namespace);
});
afterEach(async () => {
  await server.close();
});

async function until(condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function podInformer(labelSelector?: string) {
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Pod>(
    kc,
    `/api/v1/namespaces/${namespace}/pods`,
    () => core.listNamespacedPod({ namespace, labelSelector }),
    labelSelector,
  );
  const seen: string[] = [];
  informer.on("add", (pod) => seen.push(`add ${pod.metadata?.name}`));
  informer.on("update", (pod) => seen.push(`update ${pod.metadata?.name}`));
  informer.on("delete", (pod) => seen.push(`delete ${pod.metadata?.name}`));
  return { informer, seen };
}

function createPod(name: string, labels: Record<string, string> = {}) {
  const pod = podFixture(name, { ip: "10.0.0.1" });
  pod.metadata.labels = { ...pod.metadata.labels, ...labels };
  return server.store.create(RESOURCES.pods, namespace, pod);
}

describe("fake API server with the real informer", () => {
  it("lists existing objects, then watches adds, updates and deletes", async () => {
    createPod("todo-a");
    const { informer, seen } = podInformer();
    await informer.start();
    expect(informer.list(namespace).map((pod) => pod.metadata?.name)).toEqual(["todo-a"]);
    createPod("todo-b");
    server.store.update(RESOURCES.pods, namespace, "todo-a", "main", (pod) => ({
      ...pod,
      metadata: { ...pod.metadata, labels: { tier: "web" } },
    }));
    server.store.delete(RESOURCES.pods, namespace, "todo-b");
    await until(() => seen.length === 4);
    expect(seen).toEqual(["add todo-a", "add todo-b", "update todo-a", "delete todo-b"]);
    await informer.stop();
  });

  it("filters list and watch by label selector, including set-based terms", async () => {
    createPod("todo-a", { tier: "web" });
    createPod("auth-a", { tier: "db" });
    const { informer, seen } = podInformer("tier in (web,api),!canary");
    await informer.start();
    createPod("todo-b", { tier: "api" });
    createPod("todo-c", { tier: "web", canary: "yes" });
    // Relabelling out of the selector reaches the watch as a delete.
    server.store.update(RESOURCES.pods, namespace, "todo-a", "main", (pod) => ({
      ...pod,
      metadata: { ...pod.metadata, labels: { tier: "db" } },
    }));
    await until(() => seen.length === 3);
    expect(seen).toEqual(["add todo-a", "add todo-b", "delete todo-a"]);
    await informer.stop();
  });

  it("relists after the watch is expired with 410 Gone", async () => {
    createPod("todo-a");
    const { informer, seen } = podInformer();
    await informer.start();
    const listsBefore = server.requests.filter((r) => !r.includes("watch=")).length;
    server.expireWatches();
    createPod("todo-b");
    await until(() => seen.includes("add todo-b"));
    const listsAfter = server.requests.filter((r) => !r.includes("watch=")).length;
    expect(listsAfter).toBeGreaterThan(listsBefore);
    await informer.stop();
  });

  it("answers a watch from a compacted resourceVersion with a 410 ERROR event", async () => {
    for (let i = 0; i < 60; i++) createPod(`pod-${i}`);
    const events: Array<{ type: string; code?: number }> = [];
    await new Promise<void>((resolve) => {
      void new Watch(kc).watch(
        `/api/v1/namespaces/${namespace}/pods`,
        { resourceVersion: "1001" },
        (type, obj) => events.push({ type, code: obj.code }),
        () => resolve(),
      );
    });
    expect(events).toEqual([{ type: "ERROR", code: 410 }]);
  });

  it("sends bookmarks to watches that allow them", async () => {
    const types: string[] = [];
    const controller = await new Watch(kc).watch(
      `/api/v1/namespaces/${namespace}/pods`,
      {
        allowWatchBookmarks: true,
        resourceVersion: String(server.store.resourceVersion),
      },
      (type, obj) => types.push(`${type} ${obj.metadata.resourceVersion}`),
      () => {},
    );
    createPod("todo-a");
    await until(() => types.some((t) => t.startsWith("BOOKMARK")));
    controller.abort();
    expect(types[0]).toMatch(/^ADDED /);
    expect(types.at(-1)).toBe(`BOOKMARK ${server.store.resourceVersion}`);
  });
});

describe("fake API server writes", () => {
  const si = {
    group: "microtodo.dev",
    version: "v1alpha1",
    namespace,
    plural: "serviceinstances",
  };

  it("keeps generation on status writes and bumps it on spec writes", async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    const body = {
      apiVersion: "microtodo.dev/v1alpha1",
      kind: "ServiceInstance",
      metadata: { name: "todo-a" },
      spec: { serviceType: "todo", weight: 100 },
      status: { consecutiveFailures: 9 },
    };
    const created = await api.createNamespacedCustomObject({ ...si, body });
    expect(created.metadata.generation).toBe(1);
    expect(created.status).toBeUndefined();
    const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
    const statusPatched = await api.patchNamespacedCustomObjectStatus(
      {
        ...si,
        name: "todo-a",
        body: { status: { consecutiveFailures: 2 }, spec: { weight: 7 } },
      },
      merge,
    );
    expect(statusPatched.metadata.generation).toBe(1);
    expect(statusPatched.spec.weight).toBe(100);
    expect(statusPatched.status.consecutiveFailures).toBe(2);
    const specPatched = await api.patchNamespacedCustomObject(
      {
        ...si,
        name: "todo-a",
        body: [{ op: "replace", path: "/spec/weight", value: 300 }],
      },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    expect(specPatched.metadata.generation).toBe(2);
    expect(specPatched.spec.weight).toBe(300);
    expect(specPatched.status.consecutiveFailures).toBe(2);
  });

  it("answers conflicts and missing objects with a Status", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const pod = podFixture("todo-a", { ip: "10.0.0.1" }) as V1Pod;
    await core.createNamespacedPod({ namespace, body: pod });
    await expect(
      core.createNamespacedPod({ namespace, body: pod }),
    ).rejects.toMatchObject({
      code: 409,
    });
    await expect(
      core.readNamespacedPod({ namespace, name: "nope" }),
    ).rejects.toMatchObject({
      code: 404,
    });
    const stale = await core.readNamespacedPod({ namespace, name: "todo-a" });
    await core.replaceNamespacedPod({ namespace, name: "todo-a", body: stale });
    await expect(
      core.replaceNamespacedPod({ namespace, name: "todo-a", body: stale }),
    ).rejects.toMatchObject({ code: 409 });
  });

  it("deletes owned objects with their owner", () => {
    const pod = createPod("todo-a");
    server.store.create(RESOURCES.serviceInstances, namespace, {
      metadata: {
        name: "todo-a",
        ownerReferences: [
          { apiVersion: "v1", kind: "Pod", name: "todo-a", uid: pod.metadata.uid ?? "" },
        ],
      },
      spec: { serviceType: "todo" },
    });
    server.store.delete(RESOURCES.pods, namespace, "todo-a");
    expect(() =>
      server.store.get(RESOURCES.serviceInstances, namespace, "todo-a"),
    ).toThrow(/not found/);
  });

  it("holds requests and watch events while stalled", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const { informer, seen } = podInformer();
    await informer.start();
    server.stall();
    let answered = false;
    const listing = core.listNamespacedPod({ namespace }).then((list) => {
      answered = true;
      return list;
    });
    createPod("todo-a");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answered).toBe(false);
    expect(seen).toEqual([]);
    server.resume();
    expect((await listing).items).toHaveLength(1);
    await until(() => seen.length === 1);
    await informer.stop();
  });

  it("fails requests on demand with the status asked for", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    server.failRequests({ status: 500, method: "GET" });
    await expect(core.listNamespacedPod({ namespace })).rejects.toMatchObject({
      code: 500,
    });
    await expect(core.listNamespacedPod({ namespace })).resolves.toMatchObject({
      items: [],
    });
  });
});

describe("fake API server schema", () => {
  const si = {
    group: "microtodo.dev",
    version: "v1alpha1",
    namespace,
    plural: "serviceinstances",
  };

  it("defaults ServiceInstance spec fields and refuses out-of-range values", async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    const created = await api.createNamespacedCustomObject({
      ...si,
      body: { metadata: { name: "todo-a" }, spec: { serviceType: "todo" } },
    });
    expect(created.spec).toEqual({
      serviceType: "todo",
      visibility: "internal",
      weight: 100,
      draining: false,
    });
    await expect(
      api.patchNamespacedCustomObject(
        { ...si, name: "todo-a", body: { spec: { weight: 2000 } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    ).rejects.toMatchObject({ code: 422, body: expect.stringContaining("spec.weight") });
  });
});
