import { randomBytes } from "node:crypto";
import type { Catalog } from "../catalog/catalog.js";
import type { CatalogInstance, InstanceSpec } from "../catalog/catalog-instance.js";

/** Options of SelfRegistration. */
export interface SelfRegistrationOptions {
  readonly catalog: Catalog;
  /** A lease lapses this long after its last heartbeat. Default 15 s. */
  readonly leaseTtlMs?: number;
  /** How often instances are told to heartbeat. Default 5 s. */
  readonly heartbeatIntervalMs?: number;
  /** Silence after which a lapsed instance is removed; at least the TTL.
   * Default 3 × TTL. */
  readonly removeAfterMs?: number;
  /** How often leases are checked. Default min(1 s, TTL / 4). */
  readonly sweepIntervalMs?: number;
}

/** What a service states when it registers itself. */
export type RegistrationSpec = Omit<InstanceSpec, "source">;

/** A granted or renewed lease. */
export interface Registration {
  readonly leaseId: string;
  readonly instance: CatalogInstance;
}

interface Lease {
  readonly id: string;
  readonly instanceId: string;
  lastSeenMs: number;
}

/**
 * The self-registration discovery source: leases kept alive by
 * heartbeats. A lease past its TTL marks the instance unhealthy; a longer
 * silence removes it. Registering the same type and address again renews
 * the same lease, so a service that retries a Register is harmless.
 */
export class SelfRegistration {
  readonly leaseTtlMs: number;
  readonly heartbeatIntervalMs: number;
  readonly removeAfterMs: number;
  readonly #catalog: Catalog;
  readonly #sweepIntervalMs: number;
  readonly #leases = new Map<string, Lease>();
  readonly #leaseByInstance = new Map<string, string>();
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: SelfRegistrationOptions) {
    this.#catalog = options.catalog;
    this.leaseTtlMs = options.leaseTtlMs ?? 15_000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5000;
    // Removing before the lease lapses would skip the unhealthy stage.
    this.removeAfterMs = Math.max(
      options.removeAfterMs ?? 3 * this.leaseTtlMs,
      this.leaseTtlMs,
    );
    this.#sweepIntervalMs =
      options.sweepIntervalMs ?? Math.min(1000, this.leaseTtlMs / 4);
    this.#catalog.subscribe(({ kind, instance }) => {
      if (kind === "removed") this.#forget(instance.id);
    });
  }

  /** Starts checking leases on an interval. */
  start() {
    this.#sweeper ??= setInterval(() => this.sweep(Date.now()), this.#sweepIntervalMs);
    this.#sweeper.unref();
  }

  stop() {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Adds or renews an instance; throws CatalogError on a conflict. */
  register(spec: RegistrationSpec, nowMs: number): Registration {
    const { instance } = this.#catalog.upsert(
      { ...spec, source: "self-registration" },
      nowMs,
    );
    let lease = this.#leaseOf(instance.id);
    if (!lease) {
      lease = {
        id: randomBytes(18).toString("base64url"),
        instanceId: instance.id,
        lastSeenMs: 0,
      };
      this.#leases.set(lease.id, lease);
      this.#leaseByInstance.set(instance.id, lease.id);
    }
    this.#renew(lease, instance, nowMs);
    return { leaseId: lease.id, instance };
  }

  /** Renews a lease; false when the registry does not know it. */
  heartbeat(leaseId: string, nowMs: number): boolean {
    const lease = this.#leases.get(leaseId);
    const instance = lease && this.#catalog.get(lease.instanceId);
    if (!lease || !instance) return false;
    this.#renew(lease, instance, nowMs);
    return true;
  }

  /** Removes the instance behind a lease; false when the lease is unknown. */
  deregister(leaseId: string): boolean {
    const lease = this.#leases.get(leaseId);
    if (!lease) return false;
    this.#catalog.remove(lease.instanceId, "deregistered");
    this.#forget(lease.instanceId);
    return true;
  }

  /** Marks lapsed leases unhealthy and removes long-silent instances. */
  sweep(nowMs: number) {
    for (const lease of this.#leases.values()) {
      const silentMs = nowMs - lease.lastSeenMs;
      if (silentMs <= this.leaseTtlMs) continue;
      if (silentMs > this.removeAfterMs) {
        this.#catalog.remove(lease.instanceId, `no heartbeat for ${silentMs} ms`);
        this.#forget(lease.instanceId);
        continue;
      }
      const instance = this.#catalog.get(lease.instanceId);
      if (instance && !instance.leaseExpired) {
        const reason = `lease expired: no heartbeat for ${silentMs} ms (ttl ${this.leaseTtlMs} ms)`;
        this.#catalog.setLeaseExpired(instance, true, reason);
      }
    }
  }

  #renew(lease: Lease, instance: CatalogInstance, nowMs: number) {
    lease.lastSeenMs = nowMs;
    if (instance.leaseExpired) {
      this.#catalog.setLeaseExpired(instance, false, "heartbeat resumed");
    }
  }

  #leaseOf(instanceId: string): Lease | undefined {
    const leaseId = this.#leaseByInstance.get(instanceId);
    return leaseId === undefined ? undefined : this.#leases.get(leaseId);
  }

  #forget(instanceId: string) {
    const leaseId = this.#leaseByInstance.get(instanceId);
    if (leaseId === undefined) return;
    this.#leaseByInstance.delete(instanceId);
    this.#leases.delete(leaseId);
  }
}
