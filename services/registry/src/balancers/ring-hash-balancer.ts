import { ActiveLoadEstimate } from "./active-load-estimate.js";
import type { Balancer, Endpoint, PickContext } from "./balancer.js";
import type { ResolvedBalancerOptions } from "./balancer-options.js";
import { EffectiveWeights } from "./effective-weights.js";
import { HashRing } from "./hash-ring.js";
import { hash32, mix32 } from "./hash32.js";

// How many distinct endpoints a pick tries along the ring, then at random,
// before settling for the least loaded it saw. With a load factor c > 1 an
// endpoint with room is normally a step or two away; the caps only bound
// the worst case.
const MAX_RING_ENDPOINTS = 16;
const MAX_RANDOM_PROBES = 16;

// Seeds the per-key lot for warming endpoints, independent of the key's
// ring position.
const LOT_SEED = 0x5bd1e995;

/**
 * Consistent hashing by `ctx.key` (for example the user id), so one user's
 * requests keep reaching one instance and its caches, with bounded load
 * (Mirrokni et al., "Consistent Hashing with Bounded Loads"): an endpoint
 * already holding loadFactor x its weighted share of the requests in flight
 * is passed over for the next one clockwise on the ring. Without a key it
 * draws at random by weight.
 *
 * Slow start keeps keys sticky: each key has a fixed lot in [0, 1) and a
 * warming endpoint accepts the keys whose lot is below its fraction, so
 * the keys it takes over grow monotonically and never bounce back. It
 * thus gets its fraction of its own keys; unlike the weighted balancers
 * this does not renormalise, so when most of a set is warming the old
 * endpoints carry more than their weighted share until the ramp ends.
 *
 * Placement is by `Endpoint.id`: keep ids stable (across registry
 * restarts too) or users lose their instance.
 */
export class RingHashBalancer implements Balancer {
  readonly name = "ring-hash";
  private readonly weights: EffectiveWeights;
  private readonly load = new ActiveLoadEstimate();
  private ring: HashRing | undefined;
  private leastLoaded = -1;
  private leastLoad = Infinity;

  constructor(private readonly options: ResolvedBalancerOptions) {
    this.weights = new EffectiveWeights("configured", options);
  }

  pick(endpoints: readonly Endpoint[], ctx: PickContext): Endpoint | undefined {
    const weights = this.weights;
    if (weights.sync(endpoints, ctx.nowMs)) {
      this.ring = undefined;
      this.load.reset();
    }
    const live = weights.live;
    if (live.length === 0) return undefined;
    if (!ctx.key) return live[weights.draw(this.options.random)];
    this.ring ??= new HashRing(live, weights.base, this.options);
    const capacityPerWeight = this.capacityPerWeight(ctx.nowMs);
    return live[this.place(this.ring, hash32(ctx.key), capacityPerWeight)];
  }

  // Requests in flight an endpoint may hold per unit of weight, counting
  // the one being placed.
  private capacityPerWeight(nowMs: number): number {
    const loadFactor = this.options.ringHashLoadFactor;
    if (loadFactor === Infinity) return Infinity;
    const inFlight = this.load.total(this.weights.live, nowMs) + 1;
    return (loadFactor * inFlight) / this.weights.baseTotal;
  }

  // The key's own endpoint if it has room, else the next ones clockwise:
  // the paper's rule, which keeps a hot key's overflow on the same few
  // neighbours (and their caches). Once a hot key has filled that
  // neighbourhood, random probes by weight find room in a few tries, as
  // with c > 1 at least 1 - 1/c of all capacity is free; walking on would
  // cost O(n) per pick instead.
  private place(ring: HashRing, keyHash: number, capacityPerWeight: number): number {
    this.leastLoaded = -1;
    this.leastLoad = Infinity;
    const onRing = this.walkRing(ring, keyHash, capacityPerWeight);
    if (onRing >= 0) return onRing;
    const probed = this.probe(capacityPerWeight);
    return probed >= 0 ? probed : this.leastLoaded;
  }

  private walkRing(ring: HashRing, keyHash: number, capacityPerWeight: number): number {
    const { points, owners } = ring;
    const lot = mix32(keyHash ^ LOT_SEED) / 2 ** 32;
    let index = ring.firstAtOrAfter(keyHash);
    let previous = -1;
    let tried = 0;
    for (let step = 0; step < points.length && tried < MAX_RING_ENDPOINTS; step++) {
      const position = owners[index];
      index = index + 1 === points.length ? 0 : index + 1;
      if (position === previous) continue;
      previous = position;
      tried++;
      if (this.fits(position, capacityPerWeight) && this.admits(position, lot)) {
        return position;
      }
      this.noteLoad(position);
    }
    return -1;
  }

  private probe(capacityPerWeight: number): number {
    for (let attempt = 0; attempt < MAX_RANDOM_PROBES; attempt++) {
      const position = this.weights.draw(this.options.random);
      if (this.fits(position, capacityPerWeight)) return position;
      this.noteLoad(position);
    }
    return -1;
  }

  private fits(position: number, capacityPerWeight: number): boolean {
    const capacity = Math.ceil(capacityPerWeight * this.weights.base[position]);
    return this.weights.live[position].activeRequests + 1 <= capacity;
  }

  private admits(position: number, lot: number): boolean {
    const fraction = this.weights.fraction(position);
    return fraction >= 1 || lot < fraction;
  }

  // Remembers the least loaded endpoint seen, the answer if none has room.
  private noteLoad(position: number): void {
    const load = this.weights.live[position].activeRequests / this.weights.base[position];
    if (load < this.leastLoad) {
      this.leastLoaded = position;
      this.leastLoad = load;
    }
  }
}
