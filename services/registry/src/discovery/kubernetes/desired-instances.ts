import { type InstanceSpec, instanceId } from "../../catalog/catalog-instance.js";
import type { Visibility } from "../../proxy/upstream-selector.js";
import {
  type EndpointTarget,
  endpointTargets,
  trafficTargets,
} from "./endpoint-targets.js";
import type { EndpointSliceLike, ServiceInstance } from "./kube-objects.js";

/** An instance the cluster says should be in the catalog. */
export interface DesiredInstance {
  readonly spec: InstanceSpec;
  readonly draining: boolean;
}

/**
 * HTTP path prefixes per service type. A cluster has nowhere to say them
 * (label values cannot hold "/", and EndpointSlices do not copy a Service's
 * annotations), so they come from the registry's configuration.
 */
export type HttpRoutesByType = ReadonlyMap<string, readonly string[]>;

/** Weight of an instance whose ServiceInstance does not exist yet. */
export const DEFAULT_WEIGHT = 100;

const visibilities: readonly string[] = ["public", "internal", "admin"];

/**
 * What the catalog should hold, from the cached EndpointSlices and
 * ServiceInstances: every endpoint that may get traffic (see
 * trafficTargets), weighted and drained by its pod's ServiceInstance, plus
 * every ServiceInstance with its own address (instances outside the
 * cluster).
 */
export function desiredInstances(
  slices: readonly EndpointSliceLike[],
  serviceInstances: readonly ServiceInstance[],
  namespace: string,
  httpRoutes: HttpRoutesByType = new Map(),
): Map<string, DesiredInstance> {
  const byName = new Map(serviceInstances.map((si) => [si.metadata?.name ?? "", si]));
  const byType = new Map<string, EndpointTarget[]>();
  for (const target of slices.flatMap(endpointTargets)) {
    const list = byType.get(target.serviceType) ?? [];
    list.push(target);
    byType.set(target.serviceType, list);
  }
  const desired = new Map<string, DesiredInstance>();
  for (const targets of byType.values()) {
    for (const target of trafficTargets(targets)) {
      const si = target.pod ? byName.get(target.pod.name) : undefined;
      const item = fromTarget(target, si, namespace, httpRoutes);
      desired.set(instanceId(target.serviceType, target.host, target.port), item);
    }
  }
  for (const si of serviceInstances) {
    const item = fromExternal(si, namespace, httpRoutes);
    if (item)
      desired.set(
        instanceId(item.spec.serviceType, item.spec.host, item.spec.port),
        item,
      );
  }
  return desired;
}

function fromTarget(
  target: EndpointTarget,
  si: ServiceInstance | undefined,
  namespace: string,
  httpRoutes: HttpRoutesByType,
): DesiredInstance {
  const metadata: Record<string, string> = { namespace };
  if (target.pod) {
    metadata.pod = target.pod.name;
    metadata.serviceInstance = target.pod.name;
  }
  return {
    spec: {
      serviceType: target.serviceType,
      host: target.host,
      port: target.port,
      visibility: target.visibility,
      weight: si?.spec?.weight ?? DEFAULT_WEIGHT,
      httpRoutes: httpRoutes.get(target.serviceType) ?? [],
      metadata,
      source: "kubernetes",
    },
    draining: si?.spec?.draining ?? false,
  };
}

function fromExternal(
  si: ServiceInstance,
  namespace: string,
  httpRoutes: HttpRoutesByType,
): DesiredInstance | undefined {
  const spec = si.spec;
  const address = spec?.address ? parseAddress(spec.address) : undefined;
  if (!spec?.serviceType || !address) return undefined;
  const visibility = (
    visibilities.includes(spec.visibility ?? "") ? spec.visibility : "internal"
  ) as Visibility;
  return {
    spec: {
      serviceType: spec.serviceType,
      ...address,
      visibility,
      weight: spec.weight ?? DEFAULT_WEIGHT,
      httpRoutes: httpRoutes.get(spec.serviceType) ?? [],
      metadata: { namespace, serviceInstance: si.metadata?.name ?? "" },
      source: "kubernetes",
    },
    draining: spec.draining ?? false,
  };
}

/** Splits "host:port" or "[v6]:port"; undefined when malformed. */
export function parseAddress(
  address: string,
): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  return { host, port };
}
