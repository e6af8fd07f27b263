import type { Logger } from "pino";
import type { Catalog } from "../../catalog/catalog.js";
import { CatalogError } from "../../catalog/catalog-error.js";
import type { DesiredInstance } from "./desired-instances.js";

/**
 * Applies the cluster's desired instances to the catalog and removes the
 * ones this source added that are no longer desired. Upserts keep existing
 * instance objects, so repeating the same state (a relist, a restarted
 * informer) changes no balancer state or counter.
 */
export class CatalogSync {
  readonly #catalog: Catalog;
  readonly #log: Logger;
  readonly #owned = new Set<string>();
  readonly #refused = new Set<string>();
  readonly #unsubscribe: () => void;

  constructor(catalog: Catalog, logger: Logger) {
    this.#catalog = catalog;
    this.#log = logger;
    this.#unsubscribe = catalog.subscribe(({ kind, instance }) => {
      if (kind === "removed") this.#owned.delete(instance.id);
    });
  }

  apply(desired: ReadonlyMap<string, DesiredInstance>) {
    const nowMs = Date.now();
    for (const [id, item] of desired) {
      try {
        this.#catalog.upsert(item.spec, nowMs);
        this.#catalog.setDraining(id, item.draining);
        this.#owned.add(id);
        this.#refused.delete(id);
      } catch (err) {
        if (!(err instanceof CatalogError)) throw err;
        // Log a refusal once, not on every reconcile of the same state.
        if (!this.#refused.has(id))
          this.#log.warn({ err, instanceId: id }, "instance refused");
        this.#refused.add(id);
      }
    }
    for (const id of [...this.#owned]) {
      if (desired.has(id)) continue;
      this.#catalog.remove(id, "no longer a ready endpoint or ServiceInstance");
    }
  }

  /** Stops tracking; the instances stay in the catalog. */
  close() {
    this.#unsubscribe();
  }
}
