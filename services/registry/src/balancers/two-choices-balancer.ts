import type { Balancer, BalancerName, Endpoint, PickContext } from "./balancer.js";
import type { ResolvedBalancerOptions } from "./balancer-options.js";
import { EffectiveWeights } from "./effective-weights.js";

/**
 * The power of two choices: draw two different endpoints in proportion to
 * their (slow-start adjusted) weight and keep the better by the subclass's
 * measure. Comparing just two avoids both an O(n) scan and the herd a
 * global "least loaded" causes when many picks see the same stale counts.
 * With no load anywhere the measures tie and the first draw wins, so idle
 * traffic follows the weights.
 */
export abstract class TwoChoicesBalancer implements Balancer {
  abstract readonly name: BalancerName;
  private readonly weights: EffectiveWeights;
  private readonly random: () => number;

  constructor(options: ResolvedBalancerOptions) {
    this.weights = new EffectiveWeights("configured", options);
    this.random = options.random;
  }

  pick(endpoints: readonly Endpoint[], ctx: PickContext): Endpoint | undefined {
    const weights = this.weights;
    weights.sync(endpoints, ctx.nowMs);
    const live = weights.live;
    if (live.length <= 1) return live[0];
    const first = weights.draw(this.random);
    const second = this.drawOther(first);
    const { current } = weights;
    const better = this.prefers(
      live[second],
      live[first],
      current[second],
      current[first],
    );
    return live[better ? second : first];
  }

  /** Whether `b` is strictly better than `a`, given their weights now; ties keep `a`. */
  protected abstract prefers(
    b: Endpoint,
    a: Endpoint,
    weightB: number,
    weightA: number,
  ): boolean;

  private drawOther(first: number): number {
    const weights = this.weights;
    const count = weights.live.length;
    if (weights.uniform) {
      return (first + 1 + Math.floor(this.random() * (count - 1))) % count;
    }
    // A heavy endpoint is often drawn twice; a few redraws nearly always
    // find another, and comparing an endpoint with itself is harmless.
    for (let attempt = 0; attempt < 3; attempt++) {
      const second = weights.draw(this.random);
      if (second !== first) return second;
    }
    return first;
  }
}
