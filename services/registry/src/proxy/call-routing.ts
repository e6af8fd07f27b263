import { parseConnectTimeout, parseGrpcTimeout } from "./deadline.js";
import type { ProxyContext } from "./proxy-context.js";
import { hiddenType, type ProxyFailure, unknownRoute } from "./rpc-errors.js";
import type { RouteMatch } from "./upstream-selector.js";

/** The route for a request target, or the failure to answer with. The
 * query string never takes part in routing. */
export function routeCall(ctx: ProxyContext, url: string): RouteMatch | ProxyFailure {
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  const match = ctx.selector.route(path);
  if (match === undefined) {
    return unknownRoute(path);
  }
  if (ctx.publicOnly && match.visibility !== "public") {
    return hiddenType(match.serviceType);
  }
  return match;
}

/** Tells a refusal from a route. */
export function isFailure(result: RouteMatch | ProxyFailure): result is ProxyFailure {
  return (result as ProxyFailure).code !== undefined;
}

/** The call's timeout in ms from whichever header carries it, -1 for none. */
export function timeoutFromHeaders(grpcTimeout: string, connectTimeout: string): number {
  if (grpcTimeout !== "") {
    return parseGrpcTimeout(grpcTimeout);
  }
  return connectTimeout === "" ? -1 : parseConnectTimeout(connectTimeout);
}
