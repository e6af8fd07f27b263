import type { IncomingMessage, ServerResponse } from "node:http";
import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type { Registry } from "prom-client";
import { forwardHttp1 } from "./http1-exchange.js";
import { forwardHttp2 } from "./http2-exchange.js";
import type { ProxyContext } from "./proxy-context.js";
import type { ProxyLogger } from "./proxy-logger.js";
import { ProxyMetrics } from "./proxy-metrics.js";
import { type ProxyOptions, resolveProxyOptions } from "./proxy-options.js";
import type { UpstreamSelector } from "./upstream-selector.js";
import { UpstreamTable } from "./upstream-table.js";

/** What createProxy needs. */
export interface CreateProxyOptions {
  /** Routes paths and picks instances (the catalog implements it). */
  readonly selector: UpstreamSelector;
  /** "public" reaches only public types; "internal" reaches every type. */
  readonly listener: "public" | "internal";
  readonly logger: ProxyLogger;
  /** The service's prom-client registry; the proxy adds its metrics. */
  readonly metrics: Registry;
  readonly options?: ProxyOptions;
}

/** The proxy of one listener: it forwards every request that is not the
 * registry's own to an instance of the service type the path belongs to. */
export interface RpcProxy {
  /** Forwards an HTTP/1.1 request (Connect, gRPC-Web, REST routes). */
  handleHttp1(req: IncomingMessage, res: ServerResponse): void;
  /** Forwards an HTTP/2 stream (gRPC, Connect over h2c); the signature of
   * an Http2Server 'stream' event listener. */
  handleHttp2(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void;
  /** Closes pooled upstream connections once their calls have finished. */
  close(): Promise<void>;
}

// prom-client refuses two metrics of one name in a registry, and the
// registry's two listeners each have a proxy: they share one set.
const metricsByRegistry = new WeakMap<Registry, ProxyMetrics>();

/** Builds the proxy for one listener. Each proxy has its own upstream
 * connections; proxies given the same registry share their metrics. */
export function createProxy(options: CreateProxyOptions): RpcProxy {
  let metrics = metricsByRegistry.get(options.metrics);
  if (metrics === undefined) {
    metrics = new ProxyMetrics(options.metrics);
    metricsByRegistry.set(options.metrics, metrics);
  }
  const resolved = resolveProxyOptions(options.options);
  const ctx: ProxyContext = {
    selector: options.selector,
    publicOnly: options.listener === "public",
    options: resolved,
    upstreams: new UpstreamTable(resolved, metrics, options.logger),
    metrics,
    logger: options.logger,
  };
  return {
    handleHttp1: (req, res) => forwardHttp1(ctx, req, res),
    handleHttp2: (stream, headers) => forwardHttp2(ctx, stream, headers),
    close: () => ctx.upstreams.close(),
  };
}
