// The registry's reverse proxy: what the listeners and the catalog use.
export { type CreateProxyOptions, createProxy, type RpcProxy } from "./create-proxy.js";
export type { ProxyLogger } from "./proxy-logger.js";
export type { ProxyOptions } from "./proxy-options.js";
export type {
  CallOutcome,
  RouteMatch,
  UpstreamSelector,
  UpstreamTarget,
  Visibility,
} from "./upstream-selector.js";
