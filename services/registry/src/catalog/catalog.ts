import type { Logger } from "pino";
import type { Balancer, BalancerName } from "../balancers/balancer.js";
import type { RouteMatch } from "../proxy/upstream-selector.js";
import type { CatalogChangeKind, CatalogListener } from "./catalog-change.js";
import { CatalogError } from "./catalog-error.js";
import {
  CatalogInstance,
  type CheckRecord,
  type HealthVerdict,
  type InstanceSpec,
  instanceId,
} from "./catalog-instance.js";
import type { CatalogMetrics } from "./catalog-metrics.js";
import { HttpRouteOwners } from "./http-route-owners.js";
import { RouteTable } from "./route-table.js";
import { ServiceTypeEntry } from "./service-type-entry.js";

/** Options of createCatalog. */
export interface CatalogOptions {
  readonly logger: Logger;
  /** Builds the balancer for a service type from its configured name. */
  readonly createBalancer: (balancerName: BalancerName, serviceType: string) => Balancer;
  /** Balancer name per service type; unlisted types get `defaultBalancer`. */
  readonly balancers?: ReadonlyMap<string, BalancerName>;
  /** Balancer of unlisted types. Default "weighted-round-robin". */
  readonly defaultBalancer?: BalancerName;
  /** Fraction (0..1) of non-draining instances that must be eligible before
   * the type panics and balances over all of them. Default 0.5. */
  readonly panicThreshold?: number;
  /** Health of a new instance: "pending" while an active checker will
   * decide, "healthy" when none runs. Default "pending". */
  readonly initialHealth?: HealthVerdict;
  readonly metrics?: CatalogMetrics;
}

/** The result of Catalog.upsert. */
export interface UpsertResult {
  readonly instance: CatalogInstance;
  readonly created: boolean;
}

/**
 * Every known instance, grouped by service type, with one place that
 * changes their state. Each change is logged once with its reason, counted,
 * and announced to subscribers (the health checker, WatchInstances).
 */
export class Catalog {
  readonly #options: CatalogOptions;
  readonly #log: Logger;
  readonly #types = new Map<string, ServiceTypeEntry>();
  readonly #instances = new Map<string, CatalogInstance>();
  readonly #routeOwners = new HttpRouteOwners();
  readonly #routes = new RouteTable();
  readonly #listeners = new Set<CatalogListener>();
  readonly #ejectionTimers = new Map<string, NodeJS.Timeout>();
  readonly #panicThreshold: number;

  constructor(options: CatalogOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.#panicThreshold = options.panicThreshold ?? 0.5;
    options.metrics?.observe(this);
  }

  get size(): number {
    return this.#instances.size;
  }

  get(id: string): CatalogInstance | undefined {
    return this.#instances.get(id);
  }

  /** Looks an instance up by its type and address. */
  find(serviceType: string, host: string, port: number): CatalogInstance | undefined {
    return this.#instances.get(instanceId(serviceType, host, port));
  }

  type(name: string): ServiceTypeEntry | undefined {
    return this.#types.get(name);
  }

  types(): IterableIterator<ServiceTypeEntry> {
    return this.#types.values();
  }

  /** Instances of one type, or of every type when `serviceType` is undefined. */
  *instances(serviceType?: string): Generator<CatalogInstance> {
    if (serviceType === undefined) {
      yield* this.#instances.values();
      return;
    }
    const entry = this.#types.get(serviceType);
    if (entry) yield* entry.instances;
  }

  route(path: string): RouteMatch | undefined {
    return this.#routes.route(path);
  }

  /** Calls `listener` for every change until the returned function runs. */
  subscribe(listener: CatalogListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The endpoints the type's balancer picks from now (see
   * ServiceTypeEntry.endpoints); logs entering and leaving panic mode.
   */
  endpoints(entry: ServiceTypeEntry): readonly CatalogInstance[] {
    const panicBefore = entry.panic;
    const endpoints = entry.endpoints(this.#panicThreshold);
    if (entry.panic !== panicBefore) this.#logPanic(entry);
    return endpoints;
  }

  /** Adds an instance, or updates the one at the same type and address. */
  upsert(spec: InstanceSpec, nowMs: number): UpsertResult {
    const existing = this.find(spec.serviceType, spec.host, spec.port);
    this.#checkConflicts(spec, existing);
    const entry = this.#typeFor(spec);
    if (existing) {
      this.#update(entry, existing, spec);
      return { instance: existing, created: false };
    }
    const instance = new CatalogInstance(spec, nowMs);
    instance.activeHealth = this.#options.initialHealth ?? "pending";
    this.#instances.set(instance.id, instance);
    entry.instances.add(instance);
    entry.invalidate();
    this.#claimRoutes(instance.serviceType, instance.httpRoutes);
    this.#log.info(
      { instanceId: instance.id, serviceType: instance.serviceType, source: spec.source },
      "instance added",
    );
    this.#options.metrics?.instanceAdded(instance);
    this.#emit("added", instance);
    return { instance, created: true };
  }

  /** Removes an instance at once; in-flight calls finish on their own. */
  remove(id: string, reason: string): CatalogInstance | undefined {
    const instance = this.#instances.get(id);
    if (!instance) return undefined;
    this.#instances.delete(id);
    const entry = this.#types.get(instance.serviceType);
    entry?.instances.delete(instance);
    entry?.invalidate();
    if (instance.ejected && entry) entry.ejectedCount--;
    this.#clearEjectionTimer(id);
    this.#releaseRoutes(instance.serviceType, instance.httpRoutes);
    this.#log.info(
      { instanceId: id, serviceType: instance.serviceType, reason },
      "instance removed",
    );
    this.#options.metrics?.instanceRemoved(instance);
    this.#emit("removed", instance);
    return instance;
  }

  setWeight(id: string, weight: number): CatalogInstance {
    const instance = this.#require(id);
    if (instance.weight === weight) return instance;
    const from = instance.weight;
    instance.weight = weight;
    this.#types.get(instance.serviceType)?.invalidate();
    this.#log.info({ instanceId: id, from, to: weight }, "instance weight changed");
    this.#emit("updated", instance);
    return instance;
  }

  setDraining(id: string, draining: boolean): CatalogInstance {
    const instance = this.#require(id);
    if (instance.draining === draining) return instance;
    instance.draining = draining;
    this.#types.get(instance.serviceType)?.invalidate();
    this.#log.info(
      { instanceId: id, draining },
      draining ? "instance draining" : "instance resumed",
    );
    this.#emit("updated", instance);
    return instance;
  }

  /** Stores the latest active check without announcing it. */
  recordCheck(instance: CatalogInstance, check: CheckRecord) {
    instance.lastCheck = check;
  }

  /** Sets the active checker's verdict. */
  setActiveHealth(instance: CatalogInstance, verdict: HealthVerdict, reason: string) {
    if (instance.activeHealth === verdict) return;
    this.#changeHealth(instance, reason, () => {
      instance.activeHealth = verdict;
    });
  }

  /** Marks a self-registered instance's lease as lapsed, or renewed. */
  setLeaseExpired(instance: CatalogInstance, expired: boolean, reason: string) {
    if (instance.leaseExpired === expired) return;
    this.#changeHealth(instance, reason, () => {
      instance.leaseExpired = expired;
    });
  }

  /** Takes an instance out of rotation for `durationMs` (passive health). */
  eject(instance: CatalogInstance, durationMs: number, reason: string, nowMs: number) {
    const entry = this.#types.get(instance.serviceType);
    if (!entry || instance.ejected || !this.#instances.has(instance.id)) return;
    instance.ejectedUntilMs = nowMs + durationMs;
    instance.ejections++;
    entry.ejectedCount++;
    entry.invalidate();
    const timer = setTimeout(() => this.#uneject(instance), durationMs);
    timer.unref();
    this.#ejectionTimers.set(instance.id, timer);
    this.#log.warn(
      { instanceId: instance.id, reason, durationMs, ejections: instance.ejections },
      "instance ejected",
    );
    this.#options.metrics?.ejected(instance);
    this.#emit("updated", instance);
  }

  /** Stops every timer the catalog runs. */
  close() {
    for (const timer of this.#ejectionTimers.values()) clearTimeout(timer);
    this.#ejectionTimers.clear();
  }

  #uneject(instance: CatalogInstance) {
    this.#ejectionTimers.delete(instance.id);
    const entry = this.#types.get(instance.serviceType);
    if (!instance.ejected || !entry) return;
    instance.ejectedUntilMs = 0;
    instance.lastUnejectedAtMs = Date.now();
    instance.consecutiveFailures = 0;
    entry.ejectedCount--;
    entry.invalidate();
    this.#log.info({ instanceId: instance.id }, "instance returned from ejection");
    this.#emit("updated", instance);
  }

  #changeHealth(instance: CatalogInstance, reason: string, apply: () => void) {
    const from = instance.health;
    apply();
    const to = instance.health;
    if (from === to) return;
    instance.healthReason = reason;
    instance.healthChangedAtMs = Date.now();
    // Slow start counts from the moment an instance (re)gains health.
    if (to === "healthy") instance.addedAtMs = performance.now();
    this.#types.get(instance.serviceType)?.invalidate();
    const fields = { instanceId: instance.id, from, to, reason };
    if (to === "unhealthy") this.#log.warn(fields, "instance health changed");
    else this.#log.info(fields, "instance health changed");
    this.#options.metrics?.healthChanged(instance, from, to);
    this.#emit("updated", instance);
  }

  #update(entry: ServiceTypeEntry, instance: CatalogInstance, spec: InstanceSpec) {
    let changed = false;
    if (instance.weight !== spec.weight) {
      instance.weight = spec.weight;
      entry.invalidate();
      changed = true;
    }
    if (instance.visibility !== spec.visibility) {
      instance.visibility = spec.visibility;
      changed = true;
    }
    if (!sameList(instance.httpRoutes, spec.httpRoutes)) {
      this.#releaseRoutes(instance.serviceType, instance.httpRoutes);
      instance.httpRoutes = spec.httpRoutes;
      this.#claimRoutes(instance.serviceType, spec.httpRoutes);
      changed = true;
    }
    if (!sameRecord(instance.metadata, spec.metadata)) {
      instance.metadata = spec.metadata;
      changed = true;
    }
    if (changed) this.#emit("updated", instance);
  }

  #checkConflicts(spec: InstanceSpec, existing: CatalogInstance | undefined) {
    const entry = this.#types.get(spec.serviceType);
    const others = (entry?.instances.size ?? 0) - (existing ? 1 : 0);
    if (entry && others > 0 && entry.visibility !== spec.visibility) {
      throw new CatalogError(
        "conflict",
        "visibility",
        `visibility: type ${spec.serviceType} is ${entry.visibility}; every instance of a type shares its visibility`,
      );
    }
    spec.httpRoutes.forEach((prefix, i) => {
      const owner = this.#routeOwners.ownerOf(prefix);
      if (owner !== undefined && owner !== spec.serviceType) {
        throw new CatalogError(
          "conflict",
          `http_routes[${i}]`,
          `http_routes[${i}]: "${prefix}" is already routed to type ${owner}`,
        );
      }
    });
  }

  #typeFor(spec: InstanceSpec): ServiceTypeEntry {
    let entry = this.#types.get(spec.serviceType);
    if (!entry) {
      const name = spec.serviceType;
      const balancerName =
        this.#options.balancers?.get(name) ??
        this.#options.defaultBalancer ??
        "weighted-round-robin";
      const balancer = this.#options.createBalancer(balancerName, name);
      entry = new ServiceTypeEntry(name, spec.visibility, balancer);
      this.#types.set(name, entry);
      this.#updateRouteTable();
    } else if (entry.visibility !== spec.visibility) {
      // Only reachable when the type has no other instance (see conflicts).
      entry.setVisibility(spec.visibility);
      this.#updateRouteTable();
    }
    return entry;
  }

  #claimRoutes(serviceType: string, prefixes: readonly string[]) {
    if (this.#routeOwners.add(serviceType, prefixes)) this.#updateRouteTable();
  }

  #releaseRoutes(serviceType: string, prefixes: readonly string[]) {
    if (this.#routeOwners.remove(serviceType, prefixes)) this.#updateRouteTable();
  }

  #updateRouteTable() {
    const types = new Map<string, RouteMatch>();
    for (const entry of this.#types.values()) types.set(entry.name, entry.route);
    this.#routes.update(types, this.#routeOwners.routes());
  }

  /** HTTP route prefixes currently routed to a type. */
  httpRoutesOf(serviceType: string): string[] {
    return this.#routeOwners.of(serviceType);
  }

  #require(id: string): CatalogInstance {
    const instance = this.#instances.get(id);
    if (!instance) {
      throw new CatalogError(
        "not-found",
        "instance_id",
        `instance_id: no instance "${id}"`,
      );
    }
    return instance;
  }

  #clearEjectionTimer(id: string) {
    const timer = this.#ejectionTimers.get(id);
    if (timer) clearTimeout(timer);
    this.#ejectionTimers.delete(id);
  }

  #logPanic(entry: ServiceTypeEntry) {
    const fields = { serviceType: entry.name, instances: entry.instances.size };
    if (entry.panic)
      this.#log.warn(fields, "too few eligible instances; balancing over all");
    else this.#log.info(fields, "enough eligible instances again");
    this.#options.metrics?.panicChanged(entry.name, entry.panic);
  }

  #emit(kind: CatalogChangeKind, instance: CatalogInstance) {
    const change = { kind, instance };
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (err) {
        this.#log.error({ err, instanceId: instance.id }, "catalog listener failed");
      }
    }
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function sameRecord(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
) {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
