import { createLatencyCounts } from "../proxy/proxy-metrics.js";
import type { UpstreamTarget, Visibility } from "../proxy/upstream-selector.js";

/** The active health checker's verdict on an instance. */
export type HealthVerdict = "pending" | "healthy" | "unhealthy";

/** Where the registry learned about an instance. */
export type InstanceSource = "self-registration" | "kubernetes" | "static";

/** The outcome of the latest active health check. */
export interface CheckRecord {
  readonly atMs: number;
  readonly ok: boolean;
  /** Why the check failed, or the serving status it returned. */
  readonly reason: string;
  readonly durationMs: number;
}

/** What a discovery source states about an instance. */
export interface InstanceSpec {
  readonly serviceType: string;
  readonly host: string;
  readonly port: number;
  readonly visibility: Visibility;
  /** Relative share of traffic, 0..1000. */
  readonly weight: number;
  readonly httpRoutes: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly source: InstanceSource;
}

/** Builds the stable instance id, "<type>@<host>:<port>". */
export function instanceId(serviceType: string, host: string, port: number): string {
  return `${serviceType}@${formatAddress(host, port)}`;
}

/** Joins a host and port, bracketing IPv6 literals. */
export function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * One running copy of a service type, as the catalog tracks it.
 *
 * A class, so that ten thousand of them share one hidden class and the
 * balancers read plain fields. The balancer-facing fields (weight,
 * activeRequests, latencyEwmaMs, addedAtMs) are read live on every pick;
 * everything else changes only through the Catalog, which logs, counts and
 * announces each change.
 */
export class CatalogInstance implements UpstreamTarget {
  readonly id: string;
  readonly serviceType: string;
  readonly host: string;
  readonly port: number;
  readonly address: string;
  readonly source: InstanceSource;
  /** Wall-clock time (Date.now) the instance was added. */
  readonly registeredAtMs: number;
  visibility: Visibility;
  weight: number;
  httpRoutes: readonly string[];
  metadata: Readonly<Record<string, string>>;
  /** When the instance last became healthy, on the performance.now()
   * clock: the start of its slow start. */
  addedAtMs: number;
  activeHealth: HealthVerdict = "pending";
  /** Set while a self-registered instance's lease is past its TTL. */
  leaseExpired = false;
  /** Why the effective health is what it is. */
  healthReason = "registered";
  /** Wall-clock time the effective health last changed. */
  healthChangedAtMs: number;
  draining = false;
  /** Wall-clock end of the ejection; 0 when not ejected. */
  ejectedUntilMs = 0;
  ejections = 0;
  lastUnejectedAtMs = 0;
  /** Consecutive failed calls seen by the proxy. */
  consecutiveFailures = 0;
  checkPasses = 0;
  checkFailures = 0;
  lastCheck: CheckRecord | undefined = undefined;
  activeRequests = 0;
  latencyEwmaMs = 0;
  lastLatencyAtMs = 0;
  requests = 0;
  errors = 0;
  picks = 0;
  /** Finished calls per latency bucket (bounds: latencyBucketUpperMs). */
  readonly latencyBucketCounts = createLatencyCounts();

  constructor(spec: InstanceSpec, nowMs: number) {
    this.id = instanceId(spec.serviceType, spec.host, spec.port);
    this.serviceType = spec.serviceType;
    this.host = spec.host;
    this.port = spec.port;
    this.address = formatAddress(spec.host, spec.port);
    this.source = spec.source;
    this.registeredAtMs = nowMs;
    this.healthChangedAtMs = nowMs;
    this.addedAtMs = performance.now();
    this.visibility = spec.visibility;
    this.weight = spec.weight;
    this.httpRoutes = spec.httpRoutes;
    this.metadata = spec.metadata;
  }

  /** The health the registry reports: a lapsed lease overrides checks. */
  get health(): HealthVerdict {
    return this.leaseExpired ? "unhealthy" : this.activeHealth;
  }

  get ejected(): boolean {
    return this.ejectedUntilMs !== 0;
  }

  /** May receive new calls outside panic mode. */
  get eligible(): boolean {
    return this.health === "healthy" && !this.draining && this.ejectedUntilMs === 0;
  }
}
