import type { CatalogInstance } from "../../catalog/catalog-instance.js";
import type {
  InstanceCondition,
  ServiceInstance,
  ServiceInstanceStatus,
} from "./kube-objects.js";

type Verdict = Pick<InstanceCondition, "status" | "reason" | "message">;

function healthyVerdict(instance: CatalogInstance): Verdict {
  const message = instance.healthReason;
  if (instance.health === "healthy")
    return { status: "True", reason: "HealthCheckPassed", message };
  if (instance.health === "unhealthy")
    return { status: "False", reason: "HealthCheckFailed", message };
  return { status: "Unknown", reason: "Pending", message: "no health check result yet" };
}

function readyVerdict(instance: CatalogInstance | undefined): Verdict {
  if (!instance) {
    return {
      status: "False",
      reason: "EndpointNotReady",
      message: "no ready endpoint in the EndpointSlices",
    };
  }
  if (instance.eligible)
    return { status: "True", reason: "Serving", message: "receives new calls" };
  if (instance.draining)
    return { status: "False", reason: "Draining", message: "spec.draining is true" };
  if (instance.ejected) {
    const until = new Date(instance.ejectedUntilMs).toISOString();
    return { status: "False", reason: "Ejected", message: `ejected until ${until}` };
  }
  return { status: "False", reason: "NotHealthy", message: instance.healthReason };
}

function condition(
  type: InstanceCondition["type"],
  verdict: Verdict,
  si: ServiceInstance,
  nowIso: string,
): InstanceCondition {
  const previous = si.status?.conditions?.find((c) => c.type === type);
  // The transition time moves only when the status itself changes.
  const kept =
    previous?.status === verdict.status ? previous.lastTransitionTime : undefined;
  return {
    type,
    ...verdict,
    message: verdict.message.slice(0, 32_768),
    lastTransitionTime: kept ?? nowIso,
    observedGeneration: si.metadata?.generation ?? 0,
  };
}

/**
 * The status the registry reports for a ServiceInstance: its verdict on
 * the catalog instance, or only "not ready" when the instance is not in the
 * catalog (its endpoint is not ready, or it has no address).
 */
export function instanceStatus(
  si: ServiceInstance,
  instance: CatalogInstance | undefined,
  nowMs: number,
): ServiceInstanceStatus {
  const nowIso = new Date(nowMs).toISOString().replace(/\.\d+Z$/, "Z");
  const conditions = [condition("Ready", readyVerdict(instance), si, nowIso)];
  const healthy = si.status?.conditions?.find((c) => c.type === "Healthy");
  if (instance)
    conditions.push(condition("Healthy", healthyVerdict(instance), si, nowIso));
  else if (healthy) conditions.push(healthy);
  const status: ServiceInstanceStatus = {
    ...si.status,
    observedGeneration: si.metadata?.generation ?? 0,
    conditions,
  };
  if (!instance) return status;
  status.address = instance.address;
  status.consecutiveFailures = instance.checkFailures;
  if (instance.lastCheck) {
    status.lastProbeTime = new Date(instance.lastCheck.atMs).toISOString();
    status.lastProbeResult = instance.lastCheck.reason.slice(0, 1024);
  }
  return status;
}

/** True when two statuses differ in more than the probe time. */
export function statusChanged(
  a: ServiceInstanceStatus | undefined,
  b: ServiceInstanceStatus,
) {
  const strip = (status: ServiceInstanceStatus | undefined) =>
    canonical({ ...status, lastProbeTime: undefined });
  return strip(a) !== strip(b);
}

// The API server may return keys in another order than we wrote them.
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
}
