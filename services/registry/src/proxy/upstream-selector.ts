// The seam between the proxy and the catalog. The proxy knows HTTP; the
// catalog knows instances, balancers and health. Neither imports the other.

/** Which registry listener may route to a service type. */
export type Visibility = "public" | "internal" | "admin";

/** Where the proxy sends one call. */
export interface UpstreamTarget {
  /** Stable instance id, "<type>@<host>:<port>". */
  readonly id: string;
  readonly host: string;
  readonly port: number;
}

/** The service type a request path belongs to. */
export interface RouteMatch {
  readonly serviceType: string;
  readonly visibility: Visibility;
  /** False when the type's balancer ignores the affinity key, so the proxy
   * skips extracting it (decoding a JWT costs a little on every call).
   * Default true. */
  readonly needsAffinityKey?: boolean;
}

/** How one forwarded call ended, fed back to balancing and health. */
export interface CallOutcome {
  /** True when no byte reached the upstream (refused, reset before write). */
  readonly notSent: boolean;
  /** True when the call counts as a failure for passive health checking
   * (connection error, 5xx, or gRPC/Connect `unavailable`). */
  readonly failed: boolean;
  /** HTTP status, 0 when no response arrived. */
  readonly status: number;
  /** Time from dispatch to the end of the response, in milliseconds. */
  readonly latencyMs: number;
}

/** What the proxy asks of the catalog for every request. */
export interface UpstreamSelector {
  /** Maps an RPC path or a registered HTTP route prefix to its type. */
  route(path: string): RouteMatch | undefined;
  /** Picks an instance of the type, avoiding `excludeId` when another is
   * available (used by the single retry). */
  pick(
    serviceType: string,
    key: string | undefined,
    excludeId?: string,
  ): UpstreamTarget | undefined;
  /** A call to the target started (counts active requests). */
  onStart(target: UpstreamTarget): void;
  /** A call to the target ended. */
  onFinish(target: UpstreamTarget, outcome: CallOutcome): void;
}
