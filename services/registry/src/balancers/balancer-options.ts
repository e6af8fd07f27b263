import type { BalancerOptions } from "./balancer.js";

/** Balancer options with every default filled in and every range checked. */
export type ResolvedBalancerOptions = Readonly<Required<BalancerOptions>>;

/** The defaults `createBalancer` applies to options left out. */
export const DEFAULT_BALANCER_OPTIONS: ResolvedBalancerOptions = Object.freeze({
  slowStartWindowMs: 30_000,
  slowStartAggression: 1,
  slowStartMinWeightPercent: 10,
  ringHashLoadFactor: 1.25,
  ringHashVnodesPerEndpoint: 160,
  ringHashMaxRingSize: 262_144,
  random: Math.random,
});

// Endpoint positions are packed below the ring hash in one float64 while
// the ring is sorted, which leaves 21 bits for them.
const MAX_RING_SIZE_LIMIT = 2 ** 21;

/**
 * Fills defaults and checks ranges once, so the balancers can trust their
 * options. Throws a RangeError naming the option and its limit.
 */
export function resolveBalancerOptions(
  options: BalancerOptions = {},
): ResolvedBalancerOptions {
  const resolved = { ...DEFAULT_BALANCER_OPTIONS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) Object.assign(resolved, { [key]: value });
  }
  checkRange("slowStartWindowMs", resolved.slowStartWindowMs, 0, Number.MAX_SAFE_INTEGER);
  checkRange("slowStartAggression", resolved.slowStartAggression, 0.01, 100);
  checkRange("slowStartMinWeightPercent", resolved.slowStartMinWeightPercent, 1, 100);
  checkRange("ringHashLoadFactor", resolved.ringHashLoadFactor, 1.01, Infinity);
  checkRange("ringHashVnodesPerEndpoint", resolved.ringHashVnodesPerEndpoint, 1, 10_000);
  checkRange("ringHashMaxRingSize", resolved.ringHashMaxRingSize, 1, MAX_RING_SIZE_LIMIT);
  return Object.freeze(resolved);
}

function checkRange(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== "number" || Number.isNaN(value) || value < min || value > max) {
    throw new RangeError(
      `balancer option ${name} must be a number from ${min} to ${max}`,
    );
  }
}
