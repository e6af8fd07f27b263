import type { Manifest } from "./render-chart.js";

/** The fields of a container the chart checks read. */
export interface Container {
  readonly name: string;
  readonly image: string;
  readonly env?: ReadonlyArray<{
    readonly name: string;
    readonly value?: string;
    readonly valueFrom?: {
      readonly fieldRef?: { readonly fieldPath: string };
      readonly secretKeyRef?: { readonly name: string; readonly key: string };
    };
  }>;
  readonly ports?: ReadonlyArray<{
    readonly name?: string;
    readonly containerPort: number;
  }>;
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly lifecycle?: {
    readonly preStop?: { readonly exec?: { readonly command: readonly string[] } };
  };
  readonly securityContext?: {
    readonly runAsNonRoot?: boolean;
    readonly readOnlyRootFilesystem?: boolean;
    readonly allowPrivilegeEscalation?: boolean;
    readonly capabilities?: {
      readonly drop?: readonly string[];
      readonly add?: readonly string[];
    };
    readonly seccompProfile?: { readonly type: string };
  };
  readonly resources?: {
    readonly requests?: Record<string, string>;
    readonly limits?: Record<string, string>;
  };
}

/** A probe: grpc, httpGet or exec. */
export interface Probe {
  readonly grpc?: { readonly port: number; readonly service?: string };
  readonly httpGet?: { readonly path: string; readonly port: number | string };
  readonly exec?: { readonly command: readonly string[] };
}

/** The fields of a pod spec the checks read. */
export interface PodSpec {
  readonly containers: readonly Container[];
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken?: boolean;
  readonly terminationGracePeriodSeconds?: number;
  readonly securityContext?: {
    readonly runAsNonRoot?: boolean;
    readonly runAsUser?: number;
    readonly seccompProfile?: { readonly type: string };
  };
}

/** A Deployment, StatefulSet or Pod with its pod spec and labels. */
export interface Workload {
  readonly kind: string;
  readonly name: string;
  /** app.kubernetes.io/component of the pods. */
  readonly component: string;
  readonly replicas: number;
  readonly podLabels: Record<string, string>;
  readonly podAnnotations: Record<string, string>;
  readonly pod: PodSpec;
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

/** Every Deployment, StatefulSet and Pod among `manifests`. */
export function workloads(manifests: readonly Manifest[]): Workload[] {
  return manifests.flatMap((m): Workload[] => {
    if (m.kind === "Deployment" || m.kind === "StatefulSet") {
      const spec = m.spec as { replicas?: number; template: PodTemplate };
      return [workload(m, spec.template, spec.replicas ?? 1)];
    }
    if (m.kind === "Pod") {
      return [workload(m, { metadata: m.metadata, spec: m.spec as PodSpec }, 1)];
    }
    return [];
  });
}

function workload(m: Manifest, template: PodTemplate, replicas: number): Workload {
  const podLabels = template.metadata?.labels ?? {};
  return {
    kind: m.kind,
    name: m.metadata.name,
    component: podLabels["app.kubernetes.io/component"] ?? "",
    replicas,
    podLabels,
    podAnnotations: template.metadata?.annotations ?? {},
    pod: template.spec,
  };
}

/** The one workload of `component`; throws when there is not exactly one. */
export function workloadOf(manifests: readonly Manifest[], component: string): Workload {
  const found = workloads(manifests).filter((w) => w.component === component);
  if (found.length !== 1) throw new Error(`${found.length} workloads of ${component}`);
  return found[0] as Workload;
}

/** A container's environment as name -> value, or -> "fieldRef:<path>" /
 * "secret:<name>/<key>" for variables taken from elsewhere. */
export function envOf(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const { fieldRef, secretKeyRef } = variable.valueFrom ?? {};
    if (fieldRef) env[variable.name] = `fieldRef:${fieldRef.fieldPath}`;
    else if (secretKeyRef)
      env[variable.name] = `secret:${secretKeyRef.name}/${secretKeyRef.key}`;
    else env[variable.name] = variable.value ?? "";
  }
  return env;
}

/** The only container of a workload's pods. */
export function mainContainer(workload: Workload): Container {
  const [container, ...others] = workload.pod.containers;
  if (!container || others.length > 0)
    throw new Error(`${workload.name} has ${workload.pod.containers.length} containers`);
  return container;
}
