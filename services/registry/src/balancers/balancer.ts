// The contract between the catalog and the balancers.
//
// The catalog keeps one `Endpoint` object per eligible instance and updates
// its counters in place. For each service type it hands the type's balancer
// an array of those objects on every pick, under one rule that lets
// balancers cache what they derive from the set (prefix sums, rings,
// schedules) without rescanning it:
//
//   The array passed to `pick` is a NEW array object whenever membership,
//   order or any `weight` or `addedAtMs` changes, and the SAME array object
//   otherwise. `activeRequests` and `latencyEwmaMs` may change in place at
//   any time; balancers read them live.
//
// One balancer instance serves one service type for the life of the
// registry: its state (smooth weighted round-robin credit, ring, cursors)
// is carried across set changes, so do not recreate it on every change.

/** Every balancer the registry offers, as configured per service type. */
export const BALANCER_NAMES = [
  "random",
  "round-robin",
  "weighted-random",
  "weighted-round-robin",
  "least-request",
  "peak-ewma",
  "ring-hash",
] as const;

/** Name of a balancer, as written in configuration and in `ServiceType.balancer`. */
export type BalancerName = (typeof BALANCER_NAMES)[number];

/** The catalog's view of one eligible instance; counters are updated in place. */
export interface Endpoint {
  /** Stable, unique within the service type; ring-hash places the endpoint by it. */
  readonly id: string;
  /** 0 to 1000. 0 is never picked while another endpoint has weight > 0. */
  weight: number;
  /** Requests forwarded to the instance and not finished yet. */
  activeRequests: number;
  /** Smoothed response time in ms; 0 means no sample yet. See `nextLatencyEwmaMs`. */
  latencyEwmaMs: number;
  /** When the instance became eligible, on the same clock as `PickContext.nowMs`. */
  addedAtMs: number;
}

/** What a balancer may know about the request it places. */
export interface PickContext {
  /** Affinity key for ring-hash (for example a user id); absent or "" means none. */
  key?: string;
  /** Current time in ms on a monotonic clock (drives slow start). */
  nowMs: number;
}

/** Picks one endpoint per request; holds per-service-type state. */
export interface Balancer {
  readonly name: BalancerName;
  /**
   * Picks among `endpoints` (already filtered by the catalog: healthy, not
   * draining, not ejected). Returns undefined only for an empty array.
   */
  pick(endpoints: readonly Endpoint[], ctx: PickContext): Endpoint | undefined;
}

/** Options shared by every balancer; each one reads what applies to it. */
export interface BalancerOptions {
  /** Time in ms over which a new endpoint ramps up to its full weight; 0 disables. Default 30000. */
  slowStartWindowMs?: number;
  /** Ramp curve: weight follows (age / window)^(1 / aggression); above 1 ramps faster early. Default 1. */
  slowStartAggression?: number;
  /** Weight of an endpoint that has just joined, in percent of its full weight. Default 10. */
  slowStartMinWeightPercent?: number;
  /** ring-hash: no endpoint takes more than this multiple of its fair share of active requests. Default 1.25; Infinity disables. */
  ringHashLoadFactor?: number;
  /** ring-hash: virtual nodes for an endpoint of average weight. Default 160. */
  ringHashVnodesPerEndpoint?: number;
  /** ring-hash: upper bound on the ring's virtual nodes, which caps memory and build time. Default 262144. */
  ringHashMaxRingSize?: number;
  /** Uniform source in [0, 1). Default Math.random; tests pass a seeded one. */
  random?: () => number;
}

/** Whether `name` is a balancer the registry offers (for parsing configuration). */
export function isBalancerName(name: string): name is BalancerName {
  return (BALANCER_NAMES as readonly string[]).includes(name);
}
