import { Counter, Gauge, type Metric, type Registry } from "prom-client";
import { codeName } from "./rpc-errors.js";

// The hot path only bumps plain numbers; prom-client sees them when it is
// scraped. Its labelled inc()/observe() hash the label values on every call,
// which costs about a microsecond each — several per proxied call.

const codeCount = 17;

/** Latency upper bounds in seconds: sub-millisecond to tens of seconds. */
const latencyBucketsSeconds: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/**
 * The same bounds in milliseconds, with +Inf last: one entry per bucket of
 * a counts array from {@link createLatencyCounts}. The API reports them
 * next to each instance's counts.
 */
export const latencyBucketUpperMs: readonly number[] = Object.freeze([
  ...latencyBucketsSeconds.map((seconds) => seconds * 1000),
  Number.POSITIVE_INFINITY,
]);

/** A zeroed per-bucket count array for {@link countLatency}. */
export function createLatencyCounts(): Float64Array {
  return new Float64Array(latencyBucketsSeconds.length + 1);
}

/**
 * Adds one call of `latencyMs` to `counts` (from createLatencyCounts);
 * returns the bucket's index. One comparison loop and one increment, no
 * allocation: it runs for every proxied call.
 */
export function countLatency(counts: Float64Array, latencyMs: number): number {
  // The +Inf bound ends the loop; NaN compares false and lands in bucket 0.
  let i = 0;
  while (latencyMs > (latencyBucketUpperMs[i] as number)) i++;
  counts[i] = (counts[i] as number) + 1;
  return i;
}

/** Counters for one upstream instance. */
export class InstanceStats {
  /** Calls in flight. */
  active = 0;
  connectErrors = 0;
  /** Finished calls by gRPC/Connect code number. */
  readonly byCode = new Float64Array(codeCount);
  /** When a failure was last logged (performance.now() ms), for rate limiting. */
  lastWarnedAt = Number.NEGATIVE_INFINITY;
  /** Failures since then that were not logged. */
  unwarnedFailures = 0;

  constructor(
    readonly serviceType: string,
    readonly instance: string,
  ) {}
}

/** Counters for one service type. */
export class TypeStats {
  retries = 0;
  /** Calls the proxy answered itself (refused, no instance) by code. */
  readonly refusedByCode = new Float64Array(codeCount);
  readonly latency = new LatencyBuckets();
}

class LatencyBuckets {
  readonly counts = createLatencyCounts();
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    countLatency(this.counts, seconds * 1000);
    this.sum += seconds;
    this.count++;
  }
}

/** The proxy's metrics, registered in the service's prom-client registry. */
export class ProxyMetrics {
  readonly #instances = new Set<InstanceStats>();
  readonly #types = new Map<string, TypeStats>();

  constructor(registry: Registry) {
    registerExports(registry, this.#instances, this.#types);
  }

  /** Stats for an instance, exported until `forget` is called. */
  track(stats: InstanceStats): void {
    this.#instances.add(stats);
  }

  forget(stats: InstanceStats): void {
    this.#instances.delete(stats);
  }

  typeStats(serviceType: string): TypeStats {
    let stats = this.#types.get(serviceType);
    if (stats === undefined) {
      stats = new TypeStats();
      this.#types.set(serviceType, stats);
    }
    return stats;
  }
}

/** Bumps a per-code counter; codes outside 0..16 count as unknown (2). */
export function countCode(counts: Float64Array, code: number): void {
  const index = code >= 0 && code < codeCount ? code : 2;
  counts[index] = (counts[index] as number) + 1;
}

function registerExports(
  registry: Registry,
  instances: ReadonlySet<InstanceStats>,
  types: ReadonlyMap<string, TypeStats>,
): void {
  new Counter({
    name: "registry_proxy_requests_total",
    help: "Calls forwarded to an instance, by the code in the response headers.",
    labelNames: ["type", "instance", "code"],
    registers: [registry],
    collect() {
      this.reset();
      for (const stats of instances) {
        for (let code = 0; code < codeCount; code++) {
          const n = stats.byCode[code] as number;
          if (n > 0) {
            this.inc(
              { type: stats.serviceType, instance: stats.instance, code: codeName(code) },
              n,
            );
          }
        }
      }
    },
  });
  new Counter({
    name: "registry_proxy_refused_total",
    help: "Calls the proxy answered itself: unknown path, hidden type, no instance.",
    labelNames: ["type", "code"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [type, stats] of types) {
        for (let code = 0; code < codeCount; code++) {
          const n = stats.refusedByCode[code] as number;
          if (n > 0) {
            this.inc({ type, code: codeName(code) }, n);
          }
        }
      }
    },
  });
  new Gauge({
    name: "registry_proxy_active_requests",
    help: "Calls in flight to each instance.",
    labelNames: ["type", "instance"],
    registers: [registry],
    collect() {
      this.reset();
      for (const stats of instances) {
        // inc, not set: two proxies (one per listener) may count one instance.
        this.inc({ type: stats.serviceType, instance: stats.instance }, stats.active);
      }
    },
  });
  new Counter({
    name: "registry_proxy_upstream_connect_errors_total",
    help: "Connections to an instance that failed or were reset before an answer.",
    labelNames: ["type", "instance"],
    registers: [registry],
    collect() {
      this.reset();
      for (const stats of instances) {
        if (stats.connectErrors > 0) {
          this.inc(
            { type: stats.serviceType, instance: stats.instance },
            stats.connectErrors,
          );
        }
      }
    },
  });
  new Counter({
    name: "registry_proxy_retries_total",
    help: "Calls retried on another instance because nothing reached the first.",
    labelNames: ["type"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [type, stats] of types) {
        if (stats.retries > 0) {
          this.inc({ type }, stats.retries);
        }
      }
    },
  });
  registerLatencyHistogram(registry, types);
}

// prom-client's Histogram cannot be fed pre-counted buckets, so the latency
// histogram is a metric object of our own. The Registry only calls get() on
// it; its typings name prom-client's classes alone, hence the cast.
function registerLatencyHistogram(
  registry: Registry,
  types: ReadonlyMap<string, TypeStats>,
): void {
  const name = "registry_proxy_request_duration_seconds";
  const histogram = {
    name,
    help: "Time from forwarding a call to the end of its response, by service type.",
    type: "histogram",
    aggregator: "sum",
    collect: undefined,
    get: async () => ({
      name,
      help: histogram.help,
      type: "histogram",
      aggregator: "sum",
      values: histogramValues(name, types),
    }),
    reset: () => undefined,
  };
  registry.registerMetric(histogram as unknown as Metric);
}

interface ExportedValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

function histogramValues(
  name: string,
  types: ReadonlyMap<string, TypeStats>,
): ExportedValue[] {
  const values: ExportedValue[] = [];
  for (const [type, { latency }] of types) {
    if (latency.count === 0) {
      continue;
    }
    let cumulative = 0;
    for (let i = 0; i < latencyBucketsSeconds.length; i++) {
      cumulative += latency.counts[i] as number;
      const le = latencyBucketsSeconds[i] as number;
      values.push({
        metricName: `${name}_bucket`,
        labels: { type, le },
        value: cumulative,
      });
    }
    const inf = { type, le: "+Inf" };
    values.push({ metricName: `${name}_bucket`, labels: inf, value: latency.count });
    values.push({ metricName: `${name}_sum`, labels: { type }, value: latency.sum });
    values.push({ metricName: `${name}_count`, labels: { type }, value: latency.count });
  }
  return values;
}
