import type { Logger } from "pino";
import type { Catalog } from "../catalog/catalog.js";
import type { CatalogInstance } from "../catalog/catalog-instance.js";
import {
  createHealthProbe,
  type HealthProbe,
  type ProbeOutcome,
} from "./health-probe.js";

/** Options of the active health checker. */
export interface HealthCheckerOptions {
  readonly catalog: Catalog;
  readonly logger: Logger;
  /** Default: grpc.health.v1 Check over Connect (createHealthProbe). */
  readonly probe?: HealthProbe;
  /** Time between checks of one instance. Default 2000 ms. */
  readonly intervalMs?: number;
  /** A check slower than this fails. Default 1000 ms. */
  readonly timeoutMs?: number;
  /** Each interval varies by up to this fraction either way, so checks of
   * many instances spread out. Default 0.2. */
  readonly jitter?: number;
  /** Consecutive passes that turn an unhealthy instance healthy. Default 2. */
  readonly risePasses?: number;
  /** Consecutive failures that turn an instance unhealthy. Default 3. */
  readonly fallFailures?: number;
}

/** Upper bound of the random delay before a new instance's first check. */
const firstCheckSpreadMs = 200;

/**
 * Active health checking: grpc.health.v1 Check on every instance on an
 * interval. A pending instance turns healthy on its first pass (it just
 * announced itself, so one confirmation suffices); after that it takes
 * `risePasses` passes in a row to turn healthy and `fallFailures` failures
 * in a row to turn unhealthy.
 */
export class HealthChecker {
  readonly #catalog: Catalog;
  readonly #log: Logger;
  readonly #probe: HealthProbe;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #jitter: number;
  readonly #rise: number;
  readonly #fall: number;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #unsubscribe: (() => void) | undefined;

  constructor(options: HealthCheckerOptions) {
    this.#catalog = options.catalog;
    this.#log = options.logger;
    this.#probe = options.probe ?? createHealthProbe();
    this.#intervalMs = options.intervalMs ?? 2000;
    this.#timeoutMs = options.timeoutMs ?? 1000;
    this.#jitter = options.jitter ?? 0.2;
    this.#rise = options.risePasses ?? 2;
    this.#fall = options.fallFailures ?? 3;
  }

  /** Checks every instance now in the catalog and every one added later. */
  start() {
    if (this.#unsubscribe) return;
    this.#unsubscribe = this.#catalog.subscribe(({ kind, instance }) => {
      if (kind === "added") this.#schedule(instance, this.#firstDelayMs());
      if (kind === "removed") this.#cancel(instance);
    });
    for (const instance of this.#catalog.instances()) {
      this.#schedule(instance, this.#firstDelayMs());
    }
  }

  stop() {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #schedule(instance: CatalogInstance, delayMs: number) {
    const timer = setTimeout(() => void this.#check(instance), delayMs);
    timer.unref();
    this.#timers.set(instance.id, timer);
  }

  #cancel(instance: CatalogInstance) {
    clearTimeout(this.#timers.get(instance.id));
    this.#timers.delete(instance.id);
  }

  async #check(instance: CatalogInstance) {
    const startedMs = Date.now();
    const outcome = await this.#probe(instance.address, this.#timeoutMs);
    // Removed, or the checker stopped, while the probe ran.
    if (!this.#timers.has(instance.id) || this.#catalog.get(instance.id) !== instance)
      return;
    const nowMs = Date.now();
    this.#catalog.recordCheck(instance, {
      atMs: nowMs,
      durationMs: nowMs - startedMs,
      ...outcome,
    });
    this.#apply(instance, outcome);
    this.#schedule(instance, this.#nextDelayMs());
  }

  #apply(instance: CatalogInstance, outcome: ProbeOutcome) {
    if (outcome.ok) {
      instance.checkFailures = 0;
      instance.checkPasses++;
      const rises =
        instance.activeHealth === "pending" || instance.checkPasses >= this.#rise;
      if (instance.activeHealth !== "healthy" && rises) {
        const reason =
          instance.checkPasses === 1
            ? "health check passed"
            : `${instance.checkPasses} health checks passed`;
        this.#catalog.setActiveHealth(instance, "healthy", reason);
      }
      return;
    }
    instance.checkPasses = 0;
    instance.checkFailures++;
    if (instance.checkFailures === 1) {
      this.#log.debug(
        { instanceId: instance.id, reason: outcome.reason },
        "health check failed",
      );
    }
    if (instance.activeHealth !== "unhealthy" && instance.checkFailures >= this.#fall) {
      const reason = `${instance.checkFailures} health checks failed; last: ${outcome.reason}`;
      this.#catalog.setActiveHealth(instance, "unhealthy", reason);
    }
  }

  #firstDelayMs(): number {
    return Math.random() * Math.min(firstCheckSpreadMs, this.#intervalMs);
  }

  #nextDelayMs(): number {
    return this.#intervalMs * (1 + this.#jitter * (2 * Math.random() - 1));
  }
}
