import type { Balancer, Endpoint, PickContext } from "./balancer.js";
import type { ResolvedBalancerOptions } from "./balancer-options.js";
import { EffectiveWeights } from "./effective-weights.js";

/**
 * `random` draws uniformly, `weighted-random` in proportion to weight; both
 * skip weight 0 and honour slow start. O(1) while every endpoint weighs the
 * same, O(log n) otherwise (a Fenwick tree, updated in place while
 * endpoints warm up). Stateless between picks, so a rebuilt set can cause
 * no burst.
 */
export class RandomBalancer implements Balancer {
  private readonly weights: EffectiveWeights;
  private readonly random: () => number;

  constructor(
    readonly name: "random" | "weighted-random",
    options: ResolvedBalancerOptions,
  ) {
    this.weights = new EffectiveWeights(
      name === "random" ? "equal" : "configured",
      options,
    );
    this.random = options.random;
  }

  pick(endpoints: readonly Endpoint[], ctx: PickContext): Endpoint | undefined {
    const weights = this.weights;
    weights.sync(endpoints, ctx.nowMs);
    if (weights.live.length === 0) return undefined;
    return weights.live[weights.draw(this.random)];
  }
}
