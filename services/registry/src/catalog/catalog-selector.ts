import { DEFAULT_LATENCY_DECAY_MS, nextLatencyEwmaMs } from "../balancers/index.js";
import type { OutlierDetector } from "../health/outlier-detector.js";
import { countLatency } from "../proxy/proxy-metrics.js";
import type {
  CallOutcome,
  RouteMatch,
  UpstreamSelector,
  UpstreamTarget,
} from "../proxy/upstream-selector.js";
import type { Catalog } from "./catalog.js";
import { CatalogInstance } from "./catalog-instance.js";
import type { ServiceTypeEntry } from "./service-type-entry.js";

/** Options of createCatalogSelector. */
export interface CatalogSelectorOptions {
  readonly outliers: OutlierDetector;
  /** Time over which old latency samples fade from the average. Default 10 s. */
  readonly latencyDecayMs?: number;
  /** Latency a failed call counts as at least, so an instance that fails
   * fast does not look fast to latency-aware balancers. Default 1000 ms. */
  readonly failurePenaltyMs?: number;
  /** Clock, for tests. Default Date.now. */
  readonly now?: () => number;
}

/**
 * The proxy's view of the catalog: routes paths to types, picks an
 * instance with the type's balancer, and feeds each call's outcome back
 * into active requests, the latency average and passive health.
 */
export function createCatalogSelector(
  catalog: Catalog,
  options: CatalogSelectorOptions,
): UpstreamSelector {
  const decayMs = options.latencyDecayMs ?? DEFAULT_LATENCY_DECAY_MS;
  const penaltyMs = options.failurePenaltyMs ?? 1000;
  const now = options.now ?? Date.now;
  const instanceOf = (target: UpstreamTarget) =>
    target instanceof CatalogInstance ? target : catalog.get(target.id);

  return {
    route(path: string): RouteMatch | undefined {
      return catalog.route(path);
    },
    pick(serviceType, key, excludeId) {
      const entry = catalog.type(serviceType);
      if (!entry) return undefined;
      const picked = pickFrom(catalog, entry, key, excludeId);
      if (picked) picked.picks++;
      return picked;
    },
    onStart(target) {
      const instance = instanceOf(target);
      if (instance) instance.activeRequests++;
    },
    onFinish(target, outcome: CallOutcome) {
      const instance = instanceOf(target);
      if (!instance) return;
      const nowMs = now();
      if (instance.activeRequests > 0) instance.activeRequests--;
      instance.requests++;
      countLatency(instance.latencyBucketCounts, outcome.latencyMs);
      if (outcome.failed) instance.errors++;
      const sampleMs = outcome.failed
        ? Math.max(outcome.latencyMs, penaltyMs)
        : outcome.latencyMs;
      const elapsedMs = nowMs - instance.lastLatencyAtMs;
      instance.latencyEwmaMs = nextLatencyEwmaMs(
        instance.latencyEwmaMs,
        sampleMs,
        elapsedMs,
        decayMs,
      );
      instance.lastLatencyAtMs = nowMs;
      options.outliers.observe(instance, outcome.failed, nowMs);
    },
  };
}

/** Picks an instance of the type, avoiding `excludeId` when another exists. */
export function pickFrom(
  catalog: Catalog,
  entry: ServiceTypeEntry,
  key: string | undefined,
  excludeId: string | undefined,
): CatalogInstance | undefined {
  const endpoints = catalog.endpoints(entry);
  if (endpoints.length === 0) return undefined;
  const nowMs = performance.now();
  const first = entry.pick(endpoints, key, nowMs);
  if (excludeId === undefined || first?.id !== excludeId || endpoints.length === 1) {
    return first;
  }
  // A second pick usually lands elsewhere and keeps the balancer's state
  // consistent; only if it does not, fall back to the others alone.
  const second = entry.pick(endpoints, key, nowMs);
  if (second && second.id !== excludeId) return second;
  const others = endpoints.filter((instance) => instance.id !== excludeId);
  return entry.pick(others, key, nowMs) ?? first;
}
