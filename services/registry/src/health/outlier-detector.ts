import type { Catalog } from "../catalog/catalog.js";
import type { CatalogInstance } from "../catalog/catalog-instance.js";

/** Options of the passive health checker. */
export interface OutlierDetectorOptions {
  /** Consecutive failed calls that eject an instance; 0 never ejects. Default 5. */
  readonly consecutiveFailures?: number;
  /** First ejection's length; the n-th lasts n times this. Default 10 s. */
  readonly baseEjectionMs?: number;
  /** Longest ejection, and the quiet time that forgets past ejections.
   * Default 5 min. */
  readonly maxEjectionMs?: number;
  /** Largest fraction (0..1) of a type's instances ejected at once; at
   * least one may always be. Default 0.5. */
  readonly maxEjectedFraction?: number;
}

/**
 * Passive health checking: the proxy reports each call's outcome, and an
 * instance that fails too many calls in a row is ejected for a time that
 * grows with each ejection.
 */
export class OutlierDetector {
  readonly #catalog: Catalog;
  readonly #threshold: number;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #maxFraction: number;

  constructor(catalog: Catalog, options: OutlierDetectorOptions = {}) {
    this.#catalog = catalog;
    this.#threshold = options.consecutiveFailures ?? 5;
    this.#baseMs = options.baseEjectionMs ?? 10_000;
    this.#maxMs = options.maxEjectionMs ?? 300_000;
    this.#maxFraction = options.maxEjectedFraction ?? 0.5;
  }

  /** Feeds one call's outcome. */
  observe(instance: CatalogInstance, failed: boolean, nowMs: number) {
    if (!failed) {
      instance.consecutiveFailures = 0;
      return;
    }
    instance.consecutiveFailures++;
    if (this.#threshold === 0 || instance.ejected) return;
    if (instance.consecutiveFailures < this.#threshold) return;
    if (!this.#mayEject(instance)) return;
    // An instance that stayed in rotation long enough starts over.
    const quietMs = nowMs - instance.lastUnejectedAtMs;
    if (instance.lastUnejectedAtMs !== 0 && quietMs > this.#maxMs) instance.ejections = 0;
    const durationMs = Math.min(this.#baseMs * (instance.ejections + 1), this.#maxMs);
    const reason = `${instance.consecutiveFailures} consecutive failed calls`;
    this.#catalog.eject(instance, durationMs, reason, nowMs);
  }

  #mayEject(instance: CatalogInstance): boolean {
    const entry = this.#catalog.type(instance.serviceType);
    if (!entry) return false;
    const allowed = Math.max(1, Math.floor(entry.instances.size * this.#maxFraction));
    return entry.ejectedCount < allowed;
  }
}
