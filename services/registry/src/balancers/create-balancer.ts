import type { Balancer, BalancerName, BalancerOptions } from "./balancer.js";
import { resolveBalancerOptions } from "./balancer-options.js";
import { LeastRequestBalancer } from "./least-request-balancer.js";
import { PeakEwmaBalancer } from "./peak-ewma-balancer.js";
import { RandomBalancer } from "./random-balancer.js";
import { RingHashBalancer } from "./ring-hash-balancer.js";
import { RoundRobinBalancer } from "./round-robin-balancer.js";
import { WeightedRoundRobinBalancer } from "./weighted-round-robin-balancer.js";

/**
 * A new balancer for one service type. Keep it for the type's lifetime:
 * it carries state across set changes. Throws a RangeError naming the
 * option when an option is out of range.
 */
export function createBalancer(name: BalancerName, options?: BalancerOptions): Balancer {
  const resolved = resolveBalancerOptions(options);
  switch (name) {
    case "random":
    case "weighted-random":
      return new RandomBalancer(name, resolved);
    case "round-robin":
      return new RoundRobinBalancer(resolved);
    case "weighted-round-robin":
      return new WeightedRoundRobinBalancer(resolved);
    case "least-request":
      return new LeastRequestBalancer(resolved);
    case "peak-ewma":
      return new PeakEwmaBalancer(resolved);
    case "ring-hash":
      return new RingHashBalancer(resolved);
  }
}
