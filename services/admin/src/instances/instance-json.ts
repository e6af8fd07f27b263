import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  HealthState,
  type Instance,
  type ServiceType,
  Source,
  Visibility,
} from "@microtodo/api/registry";

/** An instance as the contract's JSON has it. */
export interface InstanceJson {
  readonly id: string;
  readonly serviceType: string;
  readonly address: string;
  readonly visibility: VisibilityName;
  readonly weight: number;
  readonly health: HealthName;
  readonly healthReason: string;
  readonly healthChangedAt: string;
  readonly draining: boolean;
  readonly ejected: boolean;
  readonly ejectedUntil: string | null;
  readonly activeRequests: number;
  readonly lastCheck: {
    readonly time: string;
    readonly ok: boolean;
    readonly reason: string;
    readonly durationMs: number;
  } | null;
  readonly consecutiveFailures: number;
  readonly registeredAt: string;
  readonly source: "self" | "kubernetes" | "static";
  readonly metadata: Readonly<Record<string, string>>;
  readonly stats: {
    readonly requests: number;
    readonly errors: number;
    readonly latencyEwmaMs: number;
    readonly ejections: number;
    readonly picks: number;
  };
}

/** A service type as the contract's JSON has it. */
export interface ServiceTypeJson {
  readonly name: string;
  readonly visibility: VisibilityName;
  readonly balancer: string;
  readonly instanceCount: number;
  readonly healthyCount: number;
  readonly httpRoutes: readonly string[];
}

export type HealthName = "pending" | "healthy" | "unhealthy";
export type VisibilityName = "public" | "internal" | "admin";

/** The contract's health name of a registry verdict. */
export function healthName(health: HealthState): HealthName {
  if (health === HealthState.HEALTHY) return "healthy";
  if (health === HealthState.UNHEALTHY) return "unhealthy";
  return "pending";
}

function visibilityName(visibility: Visibility): VisibilityName {
  if (visibility === Visibility.PUBLIC) return "public";
  if (visibility === Visibility.ADMIN) return "admin";
  return "internal";
}

function sourceName(source: Source): InstanceJson["source"] {
  if (source === Source.KUBERNETES) return "kubernetes";
  if (source === Source.STATIC) return "static";
  return "self";
}

/** A timestamp as ISO-8601 UTC; the epoch when absent. */
export function isoTime(timestamp: Timestamp | undefined): string {
  return timestamp ? timestampDate(timestamp).toISOString() : new Date(0).toISOString();
}

/** The contract's JSON of a registry instance. */
export function instanceJson(instance: Instance): InstanceJson {
  const check = instance.lastCheck;
  const stats = instance.stats;
  return {
    id: instance.id,
    serviceType: instance.serviceType,
    address: instance.address,
    visibility: visibilityName(instance.visibility),
    weight: instance.weight,
    health: healthName(instance.health),
    healthReason: instance.healthReason,
    healthChangedAt: isoTime(instance.healthChangedAt),
    draining: instance.draining,
    ejected: instance.ejected,
    ejectedUntil: instance.ejected ? isoTime(instance.ejectedUntil) : null,
    activeRequests: instance.activeRequests,
    lastCheck: check
      ? {
          time: isoTime(check.time),
          ok: check.ok,
          reason: check.reason,
          durationMs: check.durationMs,
        }
      : null,
    consecutiveFailures: instance.consecutiveFailures,
    registeredAt: isoTime(instance.registeredAt),
    source: sourceName(instance.source),
    metadata: { ...instance.metadata },
    stats: {
      requests: Number(stats?.requests ?? 0n),
      errors: Number(stats?.errors ?? 0n),
      latencyEwmaMs: stats?.latencyEwmaMs ?? 0,
      ejections: stats?.ejections ?? 0,
      picks: Number(stats?.picks ?? 0n),
    },
  };
}

/**
 * `known` with the fields the registry changes without announcing them on
 * its watch (the last check, active requests, failed checks in a row,
 * stats) taken from `fresh`; undefined when those are the same.
 */
export function withLiveFields(
  known: InstanceJson,
  fresh: InstanceJson,
): InstanceJson | undefined {
  const live = ({
    lastCheck,
    activeRequests,
    consecutiveFailures,
    stats,
  }: InstanceJson) => ({
    lastCheck,
    activeRequests,
    consecutiveFailures,
    stats,
  });
  const next = live(fresh);
  if (JSON.stringify(live(known)) === JSON.stringify(next)) return undefined;
  return { ...known, ...next };
}

/** The contract's JSON of a registry service type. */
export function serviceTypeJson(type: ServiceType): ServiceTypeJson {
  return {
    name: type.name,
    visibility: visibilityName(type.visibility),
    balancer: type.balancer,
    instanceCount: type.instanceCount,
    healthyCount: type.healthyCount,
    httpRoutes: [...type.httpRoutes],
  };
}
