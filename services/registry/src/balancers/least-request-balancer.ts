import type { Endpoint } from "./balancer.js";
import { TwoChoicesBalancer } from "./two-choices-balancer.js";

/**
 * Power of two choices on active requests per unit of weight (Envoy's
 * measure), so in-flight work settles in proportion to weight.
 */
export class LeastRequestBalancer extends TwoChoicesBalancer {
  readonly name = "least-request";

  // b.active / weightB < a.active / weightA, without dividing.
  protected override prefers(
    b: Endpoint,
    a: Endpoint,
    weightB: number,
    weightA: number,
  ): boolean {
    return b.activeRequests * weightA < a.activeRequests * weightB;
  }
}
