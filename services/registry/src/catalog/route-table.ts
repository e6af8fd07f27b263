import type { RouteMatch } from "../proxy/upstream-selector.js";

/** Cached lookups of RPC service names; cleared whole when full. */
const maxCachedServices = 1024;
const versionSegment = /^v\d+((alpha|beta)\d*)?$/;

interface PrefixRoute {
  readonly prefix: string;
  readonly match: RouteMatch;
}

/**
 * Maps a request path to the service type that serves it.
 *
 * Registered HTTP route prefixes come first, longest prefix winning, and
 * match whole path segments ("/api/todos" matches "/api/todos/7", not
 * "/api/todosx"). Otherwise an RPC path "/<package>.<Service>/<Method>"
 * maps to the rightmost package segment that names a known type, skipping
 * version segments: "/microtodo.todo.v1.TodoService/X" goes to "todo".
 */
export class RouteTable {
  #types: ReadonlyMap<string, RouteMatch> = new Map();
  #prefixes: readonly PrefixRoute[] = [];
  readonly #serviceCache = new Map<string, RouteMatch | null>();

  /** Replaces the known types and HTTP routes (prefix → type). */
  update(
    types: ReadonlyMap<string, RouteMatch>,
    httpRoutes: ReadonlyMap<string, string>,
  ) {
    this.#types = types;
    const prefixes: PrefixRoute[] = [];
    for (const [prefix, type] of httpRoutes) {
      const match = types.get(type);
      if (match) prefixes.push({ prefix, match });
    }
    prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
    this.#prefixes = prefixes;
    this.#serviceCache.clear();
  }

  route(path: string): RouteMatch | undefined {
    const query = path.indexOf("?");
    const bare = query < 0 ? path : path.slice(0, query);
    for (const { prefix, match } of this.#prefixes) {
      if (matchesPrefix(bare, prefix)) return match;
    }
    return this.#routeRpc(bare);
  }

  #routeRpc(path: string): RouteMatch | undefined {
    const end = path.indexOf("/", 1);
    if (end < 0) return undefined;
    const service = path.slice(1, end);
    let match = this.#serviceCache.get(service);
    if (match === undefined) {
      match = this.#typeOfService(service) ?? null;
      if (this.#serviceCache.size >= maxCachedServices) this.#serviceCache.clear();
      this.#serviceCache.set(service, match);
    }
    return match ?? undefined;
  }

  #typeOfService(service: string): RouteMatch | undefined {
    const segments = service.split(".");
    // The last segment is the service name itself, not part of the package.
    for (let i = segments.length - 2; i >= 0; i--) {
      const segment = segments[i] as string;
      if (versionSegment.test(segment)) continue;
      const match = this.#types.get(segment);
      if (match) return match;
    }
    return undefined;
  }
}

function matchesPrefix(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  return (
    path.length === prefix.length || prefix.endsWith("/") || path[prefix.length] === "/"
  );
}
