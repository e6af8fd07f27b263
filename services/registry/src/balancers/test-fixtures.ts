// Shared by the balancer tests (and the pick-cost benchmark): endpoints,
// a seeded random source, and pick counting. Not used at runtime.
import type { Balancer, Endpoint, PickContext } from "./balancer.js";
import { mix32 } from "./hash32.js";

/** A deterministic uniform source in [0, 1) (a SplitMix-style counter through `mix32`). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    return mix32(state ^ (state >>> 15)) / 2 ** 32;
  };
}

/** An endpoint that has been serving since time 0 unless told otherwise. */
export function endpoint(
  id: string,
  weight = 100,
  fields: Partial<Endpoint> = {},
): Endpoint {
  return { id, weight, activeRequests: 0, latencyEwmaMs: 0, addedAtMs: 0, ...fields };
}

/** Endpoints "e0".."e{n-1}" with the given weights (cycled). */
export function endpoints(count: number, weights: readonly number[] = [100]): Endpoint[] {
  return Array.from({ length: count }, (_, i) =>
    endpoint(`e${i}`, weights[i % weights.length]),
  );
}

/** A time well past any slow-start window for endpoints added at 0. */
export const LATER_MS = 1_000_000;

/**
 * Picks `picks` times and counts picks per endpoint id. `setFor(i)` gives
 * the array for pick i and `contextFor(i)` its context.
 */
export function countPicks(
  balancer: Balancer,
  picks: number,
  setFor: (pick: number) => readonly Endpoint[],
  contextFor: (pick: number) => PickContext = () => ({ nowMs: LATER_MS }),
): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < picks; i++) {
    const picked = balancer.pick(setFor(i), contextFor(i));
    if (picked === undefined) throw new Error(`pick ${i} returned nothing`);
    counts.set(picked.id, (counts.get(picked.id) ?? 0) + 1);
  }
  return counts;
}

/** The share of `picks` that went to `id`, from 0 to 1. */
export function shareOf(counts: Map<string, number>, id: string, picks: number): number {
  return (counts.get(id) ?? 0) / picks;
}
