import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Options for {@link createMetrics}. */
export interface MetricsOptions {
  /** Service name, exported on `microtodo_service_info`. */
  service: string;
  /** Instance name, exported on `microtodo_service_info`. */
  instance: string;
  /** Collect Node process metrics (CPU, memory, event loop, GC). Default true. */
  defaultMetrics?: boolean;
}

/** Label names of the per-RPC metrics. */
export type RpcLabel = "service" | "method" | "code";

/** Label names of the per-HTTP-request metric. */
export type HttpLabel = "method" | "route" | "status";

/** A service's Prometheus registry and the metrics the kit records. */
export interface Metrics {
  /** The registry scraped at /metrics; services add their own metrics here. */
  readonly registry: Registry;
  /** RPCs handled, by fully-qualified service, method and Connect code ("ok", "not_found"...). */
  readonly rpcRequests: Counter<RpcLabel>;
  /** Time from the RPC reaching the handler to its last response message, in seconds. */
  readonly rpcDuration: Histogram<RpcLabel>;
  /** Time to answer each HTTP request (RPCs included), by route pattern and status, in seconds. */
  readonly httpDuration: Histogram<HttpLabel>;
  /** The exposition text served at /metrics. */
  render(): Promise<string>;
  /** Content-Type of {@link render}'s output. */
  readonly contentType: string;
}

// Buckets from 1 ms to 10 s: our RPCs are mostly sub-10 ms store calls, but
// proxied and argon2-bound calls reach hundreds of ms.
const latencyBucketsSeconds = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

// prom-client exports these three gauges with a "_total" suffix, which
// promtool rejects (only counters may end in _total). Their labelled
// siblings without the suffix carry the same numbers, by type.
const lintFailingDefaults = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

function collectNodeMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of lintFailingDefaults) registry.removeSingleMetric(name);
}

/** Builds a fresh registry (never the prom-client global) with the kit's metrics. */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectNodeMetrics(registry);
  const info = new Gauge({
    name: "microtodo_service_info",
    help: "Constant 1, labelled with the service and instance names.",
    labelNames: ["microtodo_service", "microtodo_instance"],
    registers: [registry],
  });
  info.set(
    { microtodo_service: options.service, microtodo_instance: options.instance },
    1,
  );
  return {
    registry,
    rpcRequests: new Counter({
      name: "rpc_server_requests_total",
      help: "RPCs handled, by service, method and Connect code.",
      labelNames: ["service", "method", "code"],
      registers: [registry],
    }),
    rpcDuration: new Histogram({
      name: "rpc_server_duration_seconds",
      help: "Time spent handling an RPC, until its last response message.",
      labelNames: ["service", "method", "code"],
      buckets: latencyBucketsSeconds,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "http_server_duration_seconds",
      help: "Time to answer an HTTP request, by route pattern and status.",
      labelNames: ["method", "route", "status"],
      buckets: latencyBucketsSeconds,
      registers: [registry],
    }),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
