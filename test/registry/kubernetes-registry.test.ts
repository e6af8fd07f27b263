import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { endpointSliceFixture, podFixture } from "../fake-kube/cluster-fixtures.js";
import { FakeKubeServer, RESOURCES } from "../fake-kube/fake-kube-server.js";
import { startTestRegistry, type TestRegistry, until } from "./support/test-registry.js";
import { startUpstream } from "./support/upstream.js";

const namespace = "microtodo";
let server: FakeKubeServer;
let registry: TestRegistry | undefined;
const cleanups: Array<() => Promise<void>> = [];

beforeEach(async () => {
  server = await new FakeKubeServer().start();
});
afterEach(async () => {
  await registry?.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await server.close();
});

function kubeconfigFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), "kubeconfig-")), "config.json");
  writeFileSync(file, server.kubeConfig(namespace).exportConfig());
  return file;
}

async function readyz(baseUrl: string): Promise<number> {
  const res = await fetch(`${baseUrl}/readyz`);
  await res.body?.cancel();
  return res.status;
}

it("with MICROTODO_REGISTRY_DISCOVERY=kubernetes, the registry is ready after the first sync and routes to discovered endpoints", async () => {
  const upstream = await startUpstream({ name: "todo-pod", serviceType: "todo" });
  cleanups.push(() => upstream.close());
  server.store.create(
    RESOURCES.pods,
    namespace,
    podFixture("todo-0", { ip: "127.0.0.1" }),
  );
  server.store.create(
    RESOURCES.endpointSlices,
    namespace,
    endpointSliceFixture({
      name: "todo-x1",
      serviceType: "todo",
      port: upstream.port,
      endpoints: [{ ip: "127.0.0.1", pod: "todo-0" }],
      visibility: "public",
    }),
  );
  registry = await startTestRegistry({
    MICROTODO_REGISTRY_DISCOVERY: "kubernetes",
    MICROTODO_KUBECONFIG: kubeconfigFile(),
    MICROTODO_KUBE_NAMESPACE: namespace,
    MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "200",
    MICROTODO_REGISTRY_HEALTH_RISE: "1",
    MICROTODO_REGISTRY_HTTP_ROUTES: "todo=/api/todos",
  });
  const publicUrl = registry.publicUrl;
  await until(async () => (await readyz(publicUrl)) === 200, 10_000);
  const { instances } = await registry.internalClient.listInstances({
    serviceType: "todo",
  });
  expect(instances.map((i) => [i.address, i.source])).toEqual([
    [`127.0.0.1:${upstream.port}`, 2],
  ]);
  // A discovered instance cannot announce HTTP routes; the configured ones
  // make its REST path reachable through the public listener.
  expect(instances[0]?.httpRoutes).toEqual(["/api/todos"]);
  await until(async () => {
    const res = await fetch(`${publicUrl}/api/todos`);
    await res.body?.cancel();
    return res.status === 200 && res.headers.get("x-fixture-name") === "todo-pod";
  }, 10_000);
  // The leader creates the pod's ServiceInstance, owned by the pod.
  await until(() => {
    try {
      server.store.get(RESOURCES.serviceInstances, namespace, "todo-0");
      return true;
    } catch {
      return false;
    }
  }, 10_000);
});
