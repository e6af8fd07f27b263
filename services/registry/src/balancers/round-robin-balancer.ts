import type { Balancer, Endpoint, PickContext } from "./balancer.js";
import type { ResolvedBalancerOptions } from "./balancer-options.js";
import { EffectiveWeights } from "./effective-weights.js";

/**
 * Takes the endpoints in turn, ignoring weights (except that weight 0 is
 * skipped). O(1) per pick; a warming endpoint is skipped at some of its
 * turns, in proportion to how far it still is from its full weight.
 */
export class RoundRobinBalancer implements Balancer {
  readonly name = "round-robin";
  private readonly weights: EffectiveWeights;
  private readonly random: () => number;
  private cursor = -1;
  private lastPickedId: string | undefined;

  constructor(options: ResolvedBalancerOptions) {
    this.weights = new EffectiveWeights("equal", options);
    this.random = options.random;
  }

  pick(endpoints: readonly Endpoint[], ctx: PickContext): Endpoint | undefined {
    const weights = this.weights;
    if (weights.sync(endpoints, ctx.nowMs)) this.cursor = this.resumeCursor();
    const count = weights.live.length;
    if (count === 0) return undefined;
    let position = this.cursor;
    for (let turn = 0; turn < count; turn++) {
      position = position + 1 >= count ? 0 : position + 1;
      if (weights.uniform || this.takesTurn(position)) break;
    }
    this.cursor = position;
    const picked = weights.live[position];
    this.lastPickedId = picked.id;
    return picked;
  }

  // A warming endpoint takes its turn with probability equal to its
  // fraction, so it gets that fraction of a full share; the oldest
  // endpoint never warms, so the loop always ends on someone.
  private takesTurn(position: number): boolean {
    const fraction = this.weights.fraction(position);
    return fraction >= 1 || this.random() < fraction;
  }

  // After a set change, go on after the endpoint picked last wherever the
  // new array put it: neither a restart at the first endpoint nor a repeat.
  // A new balancer, or one whose last pick left, starts at a random place.
  private resumeCursor(): number {
    const live = this.weights.live;
    const index = live.findIndex((endpoint) => endpoint.id === this.lastPickedId);
    return index >= 0 ? index : Math.floor(this.random() * live.length) - 1;
  }
}
