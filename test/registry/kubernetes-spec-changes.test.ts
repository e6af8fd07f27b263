// Issue #9: on a cluster, SetWeight and Drain of a discovered instance go
// to its ServiceInstance, so every registry replica converges on them and
// a reconcile does not undo them.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { type Instance, Visibility } from "@microtodo/api/registry";
import { afterEach, beforeEach, expect, it } from "vitest";
import {
  type EndpointFixture,
  endpointSliceFixture,
  podFixture,
} from "../fake-kube/cluster-fixtures.js";
import { FakeKubeServer, RESOURCES } from "../fake-kube/fake-kube-server.js";
import type { KubeObject } from "../fake-kube/object-store.js";
import {
  startTestRegistry,
  type TestRegistry,
  until,
  withSecret,
} from "./support/test-registry.js";

const namespace = "microtodo";
const port = 9000;
let server: FakeKubeServer;
const cleanups: Array<() => Promise<void>> = [];

beforeEach(async () => {
  server = await new FakeKubeServer().start();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await server.close();
});

async function replica(name: string): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "kubeconfig-"));
  const kubeconfig = join(dir, "config.json");
  writeFileSync(kubeconfig, server.kubeConfig(namespace).exportConfig());
  const registry = await startTestRegistry({
    MICROTODO_REGISTRY_DISCOVERY: "kubernetes",
    MICROTODO_KUBECONFIG: kubeconfig,
    MICROTODO_KUBE_NAMESPACE: namespace,
    MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "0",
    MICROTODO_INSTANCE: name,
  });
  cleanups.push(() => registry.close());
  return registry;
}

/** A pod with its ServiceInstance, as the leader would have created it. */
function addPodWithInstance(name: string, ip: string): KubeObject {
  const pod = server.store.create(RESOURCES.pods, namespace, podFixture(name, { ip }));
  server.store.create(RESOURCES.serviceInstances, namespace, {
    apiVersion: "microtodo.dev/v1alpha1",
    kind: "ServiceInstance",
    metadata: {
      name,
      ownerReferences: [
        { apiVersion: "v1", kind: "Pod", name, uid: pod.metadata.uid ?? "" },
      ],
    },
    spec: { serviceType: "todo", visibility: "public", weight: 100, draining: false },
  });
  return pod;
}

function putSlice(endpoints: EndpointFixture[]) {
  const slice = endpointSliceFixture({
    name: "todo-x1",
    serviceType: "todo",
    port,
    endpoints,
    visibility: "public",
  });
  try {
    server.store.get(RESOURCES.endpointSlices, namespace, "todo-x1");
    server.store.update(RESOURCES.endpointSlices, namespace, "todo-x1", "main", (c) => ({
      ...slice,
      metadata: { ...c.metadata, ...slice.metadata },
    }));
  } catch {
    server.store.create(RESOURCES.endpointSlices, namespace, slice);
  }
}

function specOf(name: string) {
  const si = server.store.get(
    RESOURCES.serviceInstances,
    namespace,
    name,
  ) as KubeObject & {
    spec: { weight: number; draining: boolean };
  };
  return si.spec;
}

async function listed(registry: TestRegistry, id: string): Promise<Instance | undefined> {
  const { instances } = await registry.internalClient.listInstances({
    serviceType: "todo",
  });
  return instances.find((instance) => instance.id === id);
}

async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("call succeeded");
}

/** Two replicas on one API server, both listing todo-0 at 127.0.0.2. */
async function twoReplicasWithOnePod() {
  const pod = addPodWithInstance("todo-0", "127.0.0.2");
  putSlice([{ ip: "127.0.0.2", pod: "todo-0", podUid: pod.metadata.uid }]);
  const a = await replica("registry-a");
  const b = await replica("registry-b");
  const id = `todo@127.0.0.2:${port}`;
  for (const registry of [a, b]) await until(async () => !!(await listed(registry, id)));
  return { a, b, id };
}

it("SetWeight through one replica patches the ServiceInstance, reaches both replicas and survives reconciles", async () => {
  const { a, b, id } = await twoReplicasWithOnePod();

  const { instance } = await a.internalClient.setWeight(
    { instanceId: id, weight: 250 },
    withSecret,
  );

  // The answer comes once replica A's catalog has the change.
  expect(instance?.weight).toBe(250);
  expect((await listed(a, id))?.weight).toBe(250);
  expect(specOf("todo-0")).toMatchObject({ weight: 250, draining: false });
  await until(async () => (await listed(b, id))?.weight === 250);

  // A reconcile (here: a second endpoint appearing) keeps the new weight.
  const other = addPodWithInstance("todo-1", "127.0.0.3");
  putSlice([
    { ip: "127.0.0.2", pod: "todo-0" },
    { ip: "127.0.0.3", pod: "todo-1", podUid: other.metadata.uid },
  ]);
  const otherId = `todo@127.0.0.3:${port}`;
  for (const registry of [a, b]) {
    await until(async () => !!(await listed(registry, otherId)));
    expect((await listed(registry, id))?.weight).toBe(250);
  }
});

it("Drain through one replica sets the ServiceInstance's drain flag on both replicas", async () => {
  const { a, b, id } = await twoReplicasWithOnePod();

  const drained = await b.internalClient.drain(
    { instanceId: id, draining: true },
    withSecret,
  );

  expect(drained.instance?.draining).toBe(true);
  expect(specOf("todo-0")).toMatchObject({ weight: 100, draining: true });
  await until(async () => (await listed(a, id))?.draining === true);

  const resumed = await a.internalClient.drain(
    { instanceId: id, draining: false },
    withSecret,
  );
  expect(resumed.instance?.draining).toBe(false);
  expect(specOf("todo-0").draining).toBe(false);
  await until(async () => (await listed(b, id))?.draining === false);
});

it("a self-registered instance still changes in place, with no ServiceInstance write", async () => {
  const { a } = await twoReplicasWithOnePod();
  const { instance } = await a.internalClient.register(
    { serviceType: "echo", address: "127.0.0.1:4001", visibility: Visibility.INTERNAL },
    withSecret,
  );
  const id = instance?.id ?? "";
  const patchesBefore = serviceInstancePatches();

  const weighted = await a.internalClient.setWeight(
    { instanceId: id, weight: 7 },
    withSecret,
  );
  const drained = await a.internalClient.drain(
    { instanceId: id, draining: true },
    withSecret,
  );

  expect(weighted.instance?.weight).toBe(7);
  expect(drained.instance).toMatchObject({ weight: 7, draining: true });
  expect(serviceInstancePatches()).toEqual(patchesBefore);
});

it("SetWeight of a pod whose ServiceInstance does not exist yet fails with failed_precondition", async () => {
  // No Pod object: the leader cannot read the pod, so it creates no
  // ServiceInstance for it.
  putSlice([{ ip: "127.0.0.4", pod: "todo-9" }]);
  const a = await replica("registry-a");
  const id = `todo@127.0.0.4:${port}`;
  await until(async () => !!(await listed(a, id)));

  const error = await failure(
    a.internalClient.setWeight({ instanceId: id, weight: 300 }, withSecret),
  );

  expect(error.code).toBe(Code.FailedPrecondition);
  expect(error.rawMessage).toBe(
    `ServiceInstance todo-9 of instance ${id} does not exist yet (the leading registry creates it shortly after the pod's endpoint appears); try again in a few seconds`,
  );
  expect((await listed(a, id))?.weight).toBe(100);
});

it("SetWeight answers unavailable, naming the instance, when the API server fails the patch", async () => {
  const { a, id } = await twoReplicasWithOnePod();
  // Status writes to the same path fail too; they are retried later.
  server.failRequests({
    status: 503,
    method: "PATCH",
    pathIncludes: "/serviceinstances/todo-0",
    times: 1000,
  });

  const error = await failure(
    a.internalClient.setWeight({ instanceId: id, weight: 300 }, withSecret),
  );

  expect(error.code).toBe(Code.Unavailable);
  expect(error.rawMessage).toContain(
    `the Kubernetes API server did not change ServiceInstance todo-0 of instance ${id}`,
  );
  expect(specOf("todo-0").weight).toBe(100);
});

it("SetWeight of an unknown instance is still not_found", async () => {
  const { a } = await twoReplicasWithOnePod();
  const error = await failure(
    a.internalClient.setWeight({ instanceId: "todo@10.9.9.9:1", weight: 1 }, withSecret),
  );
  expect(error.code).toBe(Code.NotFound);
});

function serviceInstancePatches(): string[] {
  return server.requests.filter(
    (request) => request.startsWith("PATCH") && !request.includes("/status"),
  );
}
