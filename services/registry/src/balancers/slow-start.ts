import type { ResolvedBalancerOptions } from "./balancer-options.js";

/** The slow-start settings a weight computation needs. */
export type SlowStartOptions = Pick<
  ResolvedBalancerOptions,
  "slowStartWindowMs" | "slowStartAggression" | "slowStartMinWeightPercent"
>;

/**
 * The fraction (minimum percent to 1) of its weight an endpoint gets while
 * it warms up, following Envoy's curve (age / window)^(1 / aggression).
 *
 * Ages count relative to the oldest endpoint of the set: once the oldest
 * has served for a whole window this is exactly Envoy's rule, and a set
 * whose members all joined together (a registry restart, a first rollout)
 * is not throttled at all, because nobody there is warmer than the rest.
 * For an endpoint that joined d ms after the oldest the fraction grows
 * monotonically, as (t - d) / t does.
 */
export function slowStartFraction(
  ageMs: number,
  oldestAgeMs: number,
  options: SlowStartOptions,
): number {
  const window = options.slowStartWindowMs;
  if (window <= 0 || ageMs >= window) return 1;
  const oldest = Math.min(1, Math.max(0, oldestAgeMs) / window);
  if (oldest === 0) return 1;
  const own = Math.max(0, ageMs) / window;
  const ramp = (own / oldest) ** (1 / options.slowStartAggression);
  return Math.min(1, Math.max(options.slowStartMinWeightPercent / 100, ramp));
}
