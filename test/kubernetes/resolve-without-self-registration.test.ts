import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRegistryClient, startRegistration } from "@microtodo/kit";
import { pino } from "pino";
import { afterEach, beforeEach, expect, it } from "vitest";
import { endpointSliceFixture, podFixture } from "../fake-kube/cluster-fixtures.js";
import { FakeKubeServer, RESOURCES } from "../fake-kube/fake-kube-server.js";
import {
  startTestRegistry,
  type TestRegistry,
  testSecret,
  until,
} from "../registry/support/test-registry.js";
import { startUpstream, type Upstream } from "../registry/support/upstream.js";

// What the chart sets up: the registry discovers pods from EndpointSlices,
// and services run with MICROTODO_SELF_REGISTER=false but still resolve
// each other through the registry's internal listener.
const namespace = "microtodo";
let kube: FakeKubeServer;
let registry: TestRegistry | undefined;
let auth: Upstream | undefined;

beforeEach(async () => {
  kube = await new FakeKubeServer().start();
});
afterEach(async () => {
  await registry?.close();
  await auth?.close();
  await kube.close();
});

function kubeconfigFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), "kubeconfig-")), "config.json");
  writeFileSync(file, kube.kubeConfig(namespace).exportConfig());
  return file;
}

it("a service that does not self-register resolves a discovered pod through a kubernetes-mode registry", async () => {
  auth = await startUpstream({ name: "auth-pod", serviceType: "auth" });
  kube.store.create(RESOURCES.pods, namespace, podFixture("auth-0", { ip: "127.0.0.1" }));
  kube.store.create(
    RESOURCES.endpointSlices,
    namespace,
    endpointSliceFixture({
      name: "auth-x1",
      serviceType: "auth",
      port: auth.port,
      endpoints: [{ ip: "127.0.0.1", pod: "auth-0" }],
      visibility: "public",
    }),
  );
  registry = await startTestRegistry({
    MICROTODO_REGISTRY_DISCOVERY: "kubernetes",
    MICROTODO_KUBECONFIG: kubeconfigFile(),
    MICROTODO_KUBE_NAMESPACE: namespace,
    MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "200",
    MICROTODO_REGISTRY_HEALTH_RISE: "1",
  });

  // A todo pod as the chart runs it: registry URL set, self-registration off.
  const client = createRegistryClient({
    registryUrl: registry.internalUrl,
    secret: testSecret,
    resolveCacheMs: 0,
  });
  const registration = startRegistration({
    client,
    logger: pino({ level: "silent" }),
    selfRegister: false,
    spec: { serviceType: "todo", address: "10.1.2.3:8083", visibility: "public" },
  });
  await registration.registered;

  let resolved = "";
  await until(async () => {
    resolved = await client.resolve("auth").then(
      (instance) => instance.address,
      () => "",
    );
    return resolved !== "";
  });
  expect(resolved).toBe(`127.0.0.1:${auth.port}`);
  // The catalog holds the discovered pod only: the todo client added nothing.
  const { instances } = await registry.internalClient.listInstances({});
  expect(instances.map((i) => [i.serviceType, i.address])).toEqual([
    ["auth", `127.0.0.1:${auth.port}`],
  ]);
  await registration.stop();
});
