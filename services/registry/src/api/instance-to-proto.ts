import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  CheckResultSchema,
  HealthState,
  type Instance,
  InstanceSchema,
  InstanceStatsSchema,
  Visibility as ProtoVisibility,
  type ServiceType,
  ServiceTypeSchema,
  Source,
} from "@microtodo/api/registry";
import type { Catalog } from "../catalog/catalog.js";
import type {
  CatalogInstance,
  HealthVerdict,
  InstanceSource,
} from "../catalog/catalog-instance.js";
import type { ServiceTypeEntry } from "../catalog/service-type-entry.js";
import { latencyBucketUpperMs } from "../proxy/proxy-metrics.js";
import type { Visibility } from "../proxy/upstream-selector.js";

const protoHealth: Record<HealthVerdict, HealthState> = {
  pending: HealthState.PENDING,
  healthy: HealthState.HEALTHY,
  unhealthy: HealthState.UNHEALTHY,
};

const protoSource: Record<InstanceSource, Source> = {
  "self-registration": Source.SELF_REGISTRATION,
  kubernetes: Source.KUBERNETES,
  static: Source.STATIC,
};

const protoVisibility: Record<Visibility, ProtoVisibility> = {
  public: ProtoVisibility.PUBLIC,
  internal: ProtoVisibility.INTERNAL,
  admin: ProtoVisibility.ADMIN,
};

export function visibilityToProto(visibility: Visibility): ProtoVisibility {
  return protoVisibility[visibility];
}

/**
 * A snapshot of an instance for the API. `consecutive_failures` counts
 * failed active health checks in a row; the proxy's failures show in
 * `stats.errors` and in ejections.
 */
export function instanceToProto(instance: CatalogInstance): Instance {
  const check = instance.lastCheck;
  return create(InstanceSchema, {
    id: instance.id,
    serviceType: instance.serviceType,
    address: instance.address,
    visibility: protoVisibility[instance.visibility],
    weight: instance.weight,
    health: protoHealth[instance.health],
    draining: instance.draining,
    ejected: instance.ejected,
    ejectedUntil: instance.ejected ? timestampFromMs(instance.ejectedUntilMs) : undefined,
    activeRequests: instance.activeRequests,
    lastCheck: check
      ? create(CheckResultSchema, {
          time: timestampFromMs(check.atMs),
          ok: check.ok,
          reason: check.reason,
          durationMs: check.durationMs,
        })
      : undefined,
    consecutiveFailures: instance.checkFailures,
    registeredAt: timestampFromMs(instance.registeredAtMs),
    source: protoSource[instance.source],
    metadata: { ...instance.metadata },
    httpRoutes: [...instance.httpRoutes],
    stats: create(InstanceStatsSchema, {
      requests: BigInt(instance.requests),
      errors: BigInt(instance.errors),
      latencyEwmaMs: instance.latencyEwmaMs,
      ejections: instance.ejections,
      picks: BigInt(instance.picks),
      latencyBucketUpperMs: [...latencyBucketUpperMs],
      latencyBucketCounts: Array.from(instance.latencyBucketCounts, (n) => BigInt(n)),
    }),
    healthReason: instance.healthReason,
    healthChangedAt: timestampFromMs(instance.healthChangedAtMs),
  });
}

/** A summary of one service type for ListServiceTypes. */
export function serviceTypeToProto(
  entry: ServiceTypeEntry,
  catalog: Catalog,
): ServiceType {
  let healthy = 0;
  for (const instance of entry.instances) if (instance.health === "healthy") healthy++;
  return create(ServiceTypeSchema, {
    name: entry.name,
    visibility: protoVisibility[entry.visibility],
    balancer: entry.balancerName,
    instanceCount: entry.instances.size,
    healthyCount: healthy,
    httpRoutes: catalog.httpRoutesOf(entry.name),
  });
}
