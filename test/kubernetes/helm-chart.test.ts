import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCrdSchema } from "../fake-kube/crd-schema.js";
import {
  chartDir,
  type Manifest,
  parseManifests,
  releaseName,
  renderChart,
  runHelm,
  templateArgs,
} from "./render-chart.js";
import { manifestProblems } from "./validate-manifest.js";
import { envOf, mainContainer, workloadOf, workloads } from "./workloads.js";

const repoCrd = new URL("../../crds/serviceinstance.yaml", import.meta.url);
const chartCrd = new URL(
  "../../charts/micro-todo/crds/serviceinstance.yaml",
  import.meta.url,
);
const serviceInstanceSchema = loadCrdSchema(chartCrd, "v1alpha1");
const fullname = `${releaseName}-micro-todo`;
/** The services of micro-todo itself (Redis aside), by pod component. */
const microtodoComponents = ["registry", "auth", "todo", "logger", "admin"];
const portOf: Record<string, number> = {
  auth: 8082,
  todo: 8083,
  logger: 8084,
  admin: 8090,
};

const byKind = (manifests: readonly Manifest[], kind: string) =>
  manifests.filter((m) => m.kind === kind);

describe("helm lint", () => {
  it("passes --strict with the default values and with values-ha.yaml", async () => {
    for (const extra of [[], ["--values", `${chartDir}/values-ha.yaml`]]) {
      const result = await runHelm(["lint", "--strict", chartDir, ...extra]);
      expect(result.stderr + result.stdout).toMatch(
        /1 chart\(s\) linted, 0 chart\(s\) failed/,
      );
      expect(result.code).toBe(0);
    }
  });
});

describe.each([
  ["default values", [] as string[]],
  ["values-ha.yaml", ["values-ha.yaml"]],
])("the chart rendered with %s", (_name, valuesFiles) => {
  let manifests: Manifest[];
  beforeAll(async () => {
    manifests = await renderChart({ valuesFiles });
  });

  it("renders only known kinds, each valid against its schema with no unknown field", () => {
    const problems = manifests.flatMap((m) => manifestProblems(m, serviceInstanceSchema));
    expect(problems).toEqual([]);
    expect(new Set(manifests.map((m) => m.kind))).toContain("CustomResourceDefinition");
  });

  it("runs every container as non-root, read-only, without capabilities, seccomp RuntimeDefault", () => {
    const all = workloads(manifests);
    expect(all.map((w) => w.component).sort()).toEqual(
      ["admin", "auth", "helm-test", "logger", "redis", "registry", "todo"].sort(),
    );
    for (const w of all) {
      expect(w.pod.securityContext, w.name).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(w.pod.securityContext?.runAsUser, w.name).toBeGreaterThan(0);
      for (const c of w.pod.containers) {
        expect(c.securityContext, `${w.name}/${c.name}`).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ["ALL"] },
          seccompProfile: { type: "RuntimeDefault" },
        });
      }
    }
  });

  it("gives every container cpu and memory requests and a memory limit", () => {
    for (const w of workloads(manifests)) {
      for (const c of w.pod.containers) {
        expect(Object.keys(c.resources?.requests ?? {}).sort(), c.name).toEqual([
          "cpu",
          "memory",
        ]);
        expect(c.resources?.limits?.memory, c.name).toBeTruthy();
      }
    }
  });

  it("probes every micro-todo service over grpc.health.v1 on its own port", () => {
    for (const component of microtodoComponents) {
      const w = workloadOf(manifests, component);
      const port = component === "registry" ? 8080 : portOf[component];
      const c = mainContainer(w);
      expect(c.readinessProbe?.grpc, component).toEqual({ port });
      if (component === "registry") continue;
      expect(c.livenessProbe?.grpc, component).toEqual({ port });
    }
  });

  it("keeps the registry's liveness off the API server: /healthz, not the sync-gated grpc status", () => {
    const c = mainContainer(workloadOf(manifests, "registry"));
    expect(c.livenessProbe).toMatchObject({
      httpGet: { path: "/healthz", port: "public" },
    });
    expect(c.livenessProbe?.grpc).toBeUndefined();
  });

  it("has a PodDisruptionBudget for exactly the workloads with more than one replica", () => {
    const budgets = byKind(manifests, "PodDisruptionBudget").map((pdb) => {
      const spec = pdb.spec as { selector: { matchLabels: Record<string, string> } };
      return spec.selector.matchLabels["app.kubernetes.io/component"];
    });
    const replicated = workloads(manifests)
      .filter((w) => w.kind !== "Pod" && w.replicas > 1)
      .map((w) => w.component);
    expect(budgets.sort()).toEqual(replicated.sort());
    expect(replicated).toContain("registry");
  });

  it("sleeps before SIGTERM and gives the drain its whole MICROTODO_SHUTDOWN_TIMEOUT_MS", () => {
    for (const component of microtodoComponents) {
      const w = workloadOf(manifests, component);
      const c = mainContainer(w);
      const [command, seconds] = c.lifecycle?.preStop?.exec?.command ?? [];
      expect(command, component).toBe("sleep");
      const drainMs = Number(envOf(c).MICROTODO_SHUTDOWN_TIMEOUT_MS);
      const neededSeconds = Number(seconds) + drainMs / 1000;
      expect(Number(seconds), component).toBeGreaterThan(0);
      expect(w.pod.terminationGracePeriodSeconds, component).toBeGreaterThan(
        neededSeconds,
      );
    }
  });

  it("labels every object with the recommended app.kubernetes.io labels", () => {
    for (const m of manifests.filter((m) => m.kind !== "CustomResourceDefinition")) {
      expect(
        Object.keys(m.metadata.labels ?? {}),
        `${m.kind} ${m.metadata.name}`,
      ).toEqual(
        expect.arrayContaining([
          "app.kubernetes.io/name",
          "app.kubernetes.io/instance",
          "app.kubernetes.io/component",
          "app.kubernetes.io/version",
          "app.kubernetes.io/part-of",
          "app.kubernetes.io/managed-by",
          "helm.sh/chart",
        ]),
      );
    }
  });
});

describe("the chart's promises, with default values", () => {
  let manifests: Manifest[];
  beforeAll(async () => {
    manifests = await renderChart();
  });

  it("runs the registry with kubernetes discovery of its own namespace, named after its pod", () => {
    const registry = workloadOf(manifests, "registry");
    expect(registry.replicas).toBe(2);
    expect(registry.pod.serviceAccountName).toBe(`${fullname}-registry`);
    expect(envOf(mainContainer(registry))).toMatchObject({
      MICROTODO_REGISTRY_DISCOVERY: "kubernetes",
      MICROTODO_KUBE_NAMESPACE: "fieldRef:metadata.namespace",
      // The Lease holder identity is the host name, which is the pod name.
      MICROTODO_INSTANCE: "fieldRef:metadata.name",
      MICROTODO_PUBLIC_HOST: "0.0.0.0",
      MICROTODO_INTERNAL_HOST: "0.0.0.0",
      MICROTODO_REGISTRY_SECRET: `secret:${fullname}-internal/registry-secret`,
      // Without these, JWKS and the REST facade are unreachable on a cluster.
      MICROTODO_REGISTRY_HTTP_ROUTES: "auth=/.well-known/jwks.json,todo=/api/todos",
    });
  });

  it("grants the registry exactly the API calls its discovery source makes", () => {
    const [role, ...more] = byKind(manifests, "Role");
    expect(more).toEqual([]);
    expect(role?.rules).toEqual([
      {
        apiGroups: ["discovery.k8s.io"],
        resources: ["endpointslices"],
        verbs: ["list", "watch"],
      },
      {
        apiGroups: ["microtodo.dev"],
        resources: ["serviceinstances"],
        verbs: ["list", "watch", "create", "patch"],
      },
      {
        apiGroups: ["microtodo.dev"],
        resources: ["serviceinstances/status"],
        verbs: ["patch"],
      },
      { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        verbs: ["get", "create", "update"],
      },
    ]);
    expect(byKind(manifests, "ClusterRole")).toEqual([]);
    const [binding] = byKind(manifests, "RoleBinding");
    expect(binding).toMatchObject({
      roleRef: { kind: "Role", name: role?.metadata.name },
      subjects: [{ kind: "ServiceAccount", name: `${fullname}-registry` }],
    });
    const others = workloads(manifests).filter((w) => w.component !== "registry");
    for (const w of others)
      expect(w.pod.automountServiceAccountToken, w.name).toBe(false);
  });

  it("turns self-registration off and points every service at the registry's internal Service", () => {
    const internal = byKind(manifests, "Service").find(
      (s) => s.metadata.name === `${fullname}-registry-internal`,
    );
    expect(internal?.spec).toMatchObject({
      selector: { "app.kubernetes.io/component": "registry" },
      ports: [{ port: 8081 }],
    });
    for (const component of ["auth", "todo", "logger", "admin"]) {
      expect(
        envOf(mainContainer(workloadOf(manifests, component))),
        component,
      ).toMatchObject({
        MICROTODO_SELF_REGISTER: "false",
        MICROTODO_REGISTRY_URL: `http://${fullname}-registry-internal:8081`,
        MICROTODO_HOST: "0.0.0.0",
        MICROTODO_PORT: String(portOf[component]),
      });
    }
  });

  it("labels the discovered Services with type and visibility and names their port grpc", () => {
    const discovered = byKind(manifests, "Service").filter(
      (s) => s.metadata.labels?.["microtodo.dev/service-type"],
    );
    const summary = discovered.map((s) => {
      const spec = s.spec as { ports: Array<{ name: string; port: number }> };
      return [
        s.metadata.labels?.["microtodo.dev/service-type"],
        s.metadata.labels?.["microtodo.dev/visibility"],
        spec.ports.map((p) => `${p.name}:${p.port}`).join(","),
      ];
    });
    expect(summary.sort()).toEqual([
      ["admin", "admin", "grpc:8090"],
      ["auth", "public", "grpc:8082"],
      ["logger", "internal", "grpc:8084"],
      ["todo", "public", "grpc:8083"],
    ]);
    expect(workloadOf(manifests, "todo").podAnnotations["microtodo.dev/weight"]).toBe(
      "100",
    );
  });

  it("keeps auth and todo in Redis and the logger on its StatefulSet volume", () => {
    for (const component of ["auth", "todo"]) {
      expect(
        envOf(mainContainer(workloadOf(manifests, component))).MICROTODO_REDIS_URL,
      ).toBe(`redis://:$(REDIS_PASSWORD)@${fullname}-redis:6379`);
    }
    const [logger, redis] = ["logger", "redis"].map((name) =>
      byKind(manifests, "StatefulSet").find(
        (s) => s.metadata.name === `${fullname}-${name}`,
      ),
    );
    for (const set of [logger, redis]) {
      const spec = set?.spec as {
        volumeClaimTemplates: Array<{ metadata: { name: string } }>;
      };
      expect(spec.volumeClaimTemplates.map((t) => t.metadata.name)).toEqual(["data"]);
    }
    const redisArgs = mainContainer(workloadOf(manifests, "redis")) as unknown as {
      command: string[];
    };
    expect(redisArgs.command.join(" ")).toMatch(/--appendonly yes/);
  });

  it("opens only the registry's public port to peers outside the release", () => {
    const policies = byKind(manifests, "NetworkPolicy");
    const releasePeer = (peer: Record<string, unknown>) => {
      const selector = peer.podSelector as
        | { matchLabels?: Record<string, string> }
        | undefined;
      return (
        Object.keys(peer).length === 1 &&
        selector?.matchLabels?.["app.kubernetes.io/instance"] === releaseName
      );
    };
    const openings = policies.flatMap((policy) => {
      const spec = policy.spec as {
        podSelector: { matchLabels?: Record<string, string> };
        ingress: Array<{
          from?: Array<Record<string, unknown>>;
          ports: Array<{ port: number }>;
        }>;
      };
      return spec.ingress
        .filter(
          (rule) => !rule.from || rule.from.length === 0 || !rule.from.every(releasePeer),
        )
        .map((rule) => ({
          component: spec.podSelector.matchLabels?.["app.kubernetes.io/component"],
          ports: rule.ports.map((p) => p.port),
        }));
    });
    expect(openings).toEqual([{ component: "registry", ports: [8080] }]);
  });

  it("lets pods of the release reach the internal listener, the services and Redis", () => {
    const allowed = byKind(manifests, "NetworkPolicy").map((policy) => {
      const spec = policy.spec as {
        ingress: Array<{ from?: unknown[]; ports: Array<{ port: number }> }>;
      };
      return [
        policy.metadata.name,
        spec.ingress.filter((r) => r.from).flatMap((r) => r.ports.map((p) => p.port)),
      ];
    });
    expect(allowed).toEqual([
      [`${fullname}-registry`, [8081]],
      [`${fullname}-services`, [8082, 8083, 8084, 8090]],
      [`${fullname}-redis`, [6379]],
    ]);
  });

  it("puts every pod of the release but the helm test under a NetworkPolicy", () => {
    const selects = (policy: Manifest, labels: Record<string, string>) => {
      const selector = (policy.spec as { podSelector: LabelSelector }).podSelector;
      return matches(selector, labels);
    };
    const policies = byKind(manifests, "NetworkPolicy");
    for (const w of workloads(manifests).filter((w) => w.kind !== "Pod")) {
      expect(
        policies.some((p) => selects(p, w.podLabels)),
        w.name,
      ).toBe(true);
    }
  });

  it("keeps the registry secret and admin password in Secrets, generated unless given", async () => {
    const secretData = (ms: Manifest[], name: string) =>
      (ms.find((m) => m.kind === "Secret" && m.metadata.name === name)?.data ??
        {}) as Record<string, string>;
    const generated = secretData(manifests, `${fullname}-internal`);
    expect(Object.keys(generated).sort()).toEqual([
      "auth-key-secret",
      "redis-password",
      "registry-secret",
    ]);
    const decoded = Buffer.from(generated["registry-secret"] ?? "", "base64").toString();
    expect(decoded).toMatch(/^[A-Za-z0-9]{40}$/);

    const given = await renderChart({
      set: {
        "registry.secret": "s3cret-from-values",
        "adminAccount.password": "pw-from-values",
      },
    });
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    expect(secretData(given, `${fullname}-internal`)["registry-secret"]).toBe(
      b64("s3cret-from-values"),
    );
    expect(secretData(given, `${fullname}-admin-account`).password).toBe(
      b64("pw-from-values"),
    );
    expect(envOf(mainContainer(workloadOf(given, "auth")))).toMatchObject({
      MICROTODO_ADMIN_PASSWORD: `secret:${fullname}-admin-account/password`,
    });
  });

  it("runs the helm test as a hook Pod calling the registry's public Service with the CLI", () => {
    const test = byKind(manifests, "Pod")[0] as Manifest;
    expect(test.metadata.annotations?.["helm.sh/hook"]).toBe("test");
    const c = mainContainer(workloadOf(manifests, "helm-test"));
    expect(c.image).toBe("microtodo-cli:0.1.0");
    expect(envOf(c).MICROTODO_REGISTRY_PUBLIC_URL).toBe(
      `http://${fullname}-registry:8080`,
    );
    const script = (c as unknown as { command: string[] }).command.join("\n");
    for (const step of ["register", "login", "add", "ls --json"])
      expect(script).toContain(`cli ${step}`);
    const door = byKind(manifests, "Service").find(
      (s) => s.metadata.name === `${fullname}-registry`,
    );
    expect(door?.spec).toMatchObject({ ports: [{ port: 8080, targetPort: "public" }] });
  });
});

describe("values", () => {
  it("set the image tag of every micro-todo image, or of one service", async () => {
    const images = (ms: Manifest[]) =>
      Object.fromEntries(workloads(ms).map((w) => [w.component, mainContainer(w).image]));

    expect(
      images(
        await renderChart({ set: { "image.tag": "1.2.3", "image.registry": "r.io/me" } }),
      ),
    ).toEqual({
      registry: "r.io/me/microtodo-registry:1.2.3",
      auth: "r.io/me/microtodo-auth:1.2.3",
      todo: "r.io/me/microtodo-todo:1.2.3",
      logger: "r.io/me/microtodo-logger:1.2.3",
      admin: "r.io/me/microtodo-admin:1.2.3",
      redis: "redis:7.4-alpine",
      "helm-test": "r.io/me/microtodo-cli:1.2.3",
    });
    const one = images(
      await renderChart({ set: { "todo.image.tag": "abc", "image.tag": "9" } }),
    );
    expect(one.todo).toBe("microtodo-todo:abc");
    expect(one.auth).toBe("microtodo-auth:9");
  });

  it.each([
    ["todo.replicas=two", "/todo/replicas"],
    ["registry.colour=blue", "colour"],
    ["todo.weight=1001", "/todo/weight"],
    ["shutdown.drainSeconds=0", "/shutdown/drainSeconds"],
    ["auth.accessTokenTtl=a week", "/auth/accessTokenTtl"],
  ])("the schema refuses %s, naming %s", async (pair, field) => {
    const [key = "", value = ""] = pair.split("=");
    const result = await runHelm(templateArgs({ set: { [key]: value } }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(field);
  });

  it("render externalInstances as ServiceInstances the CRD accepts", async () => {
    const manifests = await renderChart({
      setJson: {
        externalInstances: JSON.stringify([
          {
            name: "old-logger",
            serviceType: "logger",
            address: "10.0.0.5:8084",
            weight: 0,
          },
        ]),
      },
    });
    const [instance, ...more] = byKind(manifests, "ServiceInstance");
    expect(more).toEqual([]);
    expect(instance?.spec).toEqual({
      serviceType: "logger",
      visibility: "internal",
      address: "10.0.0.5:8084",
      weight: 0,
      draining: false,
    });
    expect(manifestProblems(instance as Manifest, serviceInstanceSchema)).toEqual([]);
  });

  it("leave out the admin Deployment, Service and budget when admin.enabled is false", async () => {
    const manifests = await renderChart({
      set: { "admin.enabled": "false", "admin.replicas": "3" },
    });
    const names = manifests.map((m) => m.metadata.name);
    expect(names).not.toContain(`${fullname}-admin`);
  });
});

describe("NOTES.txt", () => {
  it("tells how to reach the registry and the admin UI and read the admin password", async () => {
    const result = await runHelm([
      "install",
      releaseName,
      chartDir,
      "--namespace",
      "todo-ns",
      "--dry-run=client",
    ]);
    expect(result.code).toBe(0);
    const notes = result.stdout.slice(result.stdout.indexOf("NOTES:"));
    expect(notes).toContain(
      `kubectl -n todo-ns port-forward svc/${fullname}-registry 8080`,
    );
    expect(notes).toContain(`kubectl -n todo-ns port-forward svc/${fullname}-admin 8090`);
    expect(notes).toContain(
      `get secret ${fullname}-admin-account -o jsonpath='{.data.password}' | base64 -d`,
    );
  });
});

describe("the ServiceInstance CRD", () => {
  it("ships in the chart byte for byte as crds/serviceinstance.yaml", () => {
    // Helm installs charts/micro-todo/crds/ only; crds/ is what the tests
    // and the fake API server use. One must never drift from the other.
    expect(readFileSync(chartCrd, "utf8")).toBe(readFileSync(repoCrd, "utf8"));
  });

  it("is rendered once, with --include-crds", async () => {
    const crds = parseManifests((await runHelm(templateArgs())).stdout).filter(
      (m) => m.kind === "CustomResourceDefinition",
    );
    expect(crds.map((c) => c.metadata.name)).toEqual(["serviceinstances.microtodo.dev"]);
  });
});

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Whether a label selector (matchLabels, In/NotIn/Exists) selects `labels`. */
function matches(selector: LabelSelector, labels: Record<string, string>): boolean {
  const labelsMatch = Object.entries(selector.matchLabels ?? {}).every(
    ([key, value]) => labels[key] === value,
  );
  return (
    labelsMatch &&
    (selector.matchExpressions ?? []).every((e) => {
      const value = labels[e.key];
      if (e.operator === "In")
        return value !== undefined && (e.values ?? []).includes(value);
      if (e.operator === "NotIn")
        return value === undefined || !(e.values ?? []).includes(value);
      if (e.operator === "Exists") return value !== undefined;
      return value === undefined;
    })
  );
}
