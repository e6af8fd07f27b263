import type { Endpoint } from "./balancer.js";
import { TwoChoicesBalancer } from "./two-choices-balancer.js";

/**
 * Power of two choices on expected wait: latency EWMA x (active + 1), so a
 * slow instance loses traffic before it piles up work, and at idle the
 * faster one wins. Weight (and slow start) decides how often an endpoint
 * is drawn as a candidate, not its cost: a bigger instance shows its
 * capacity through lower latency under the same load, and dividing the
 * cost by weight would send all idle traffic to the heaviest instance.
 * `latencyEwmaMs` is the catalog's; `nextLatencyEwmaMs` keeps it
 * peak-sensitive, as this balancer expects.
 */
export class PeakEwmaBalancer extends TwoChoicesBalancer {
  readonly name = "peak-ewma";

  protected override prefers(b: Endpoint, a: Endpoint): boolean {
    // An endpoint without a sample yet borrows the other's latency: it is
    // judged on its queue alone, neither shunned nor flooded.
    const latencyA = a.latencyEwmaMs > 0 ? a.latencyEwmaMs : b.latencyEwmaMs || 1;
    const latencyB = b.latencyEwmaMs > 0 ? b.latencyEwmaMs : latencyA;
    return latencyB * (b.activeRequests + 1) < latencyA * (a.activeRequests + 1);
  }
}
