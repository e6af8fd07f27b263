import type { ProxyLogger } from "./proxy-logger.js";
import type { ProxyMetrics } from "./proxy-metrics.js";
import type { ResolvedProxyOptions } from "./proxy-options.js";
import type { UpstreamSelector } from "./upstream-selector.js";
import type { UpstreamTable } from "./upstream-table.js";

/** What every exchange of one proxy shares. */
export interface ProxyContext {
  readonly selector: UpstreamSelector;
  /** True on the public listener: only "public" types are reachable. */
  readonly publicOnly: boolean;
  readonly options: ResolvedProxyOptions;
  readonly upstreams: UpstreamTable;
  readonly metrics: ProxyMetrics;
  readonly logger: ProxyLogger;
}
