import type { Balancer, Endpoint, PickContext } from "./balancer.js";
import type { ResolvedBalancerOptions } from "./balancer-options.js";
import { DeadlineHeap } from "./deadline-heap.js";
import { EffectiveWeights } from "./effective-weights.js";

// Up to this many endpoints nginx's O(n) scan costs about what a heap
// operation does, and gives nginx's exact order; above it the stride
// schedule takes over.
const EXACT_ORDER_MAX_ENDPOINTS = 64;

/**
 * Smooth weighted round-robin: at every point of the sequence each
 * endpoint's picks stay within a pick or two of its weighted share,
 * interleaved rather than in bursts.
 *
 * Small sets follow nginx's algorithm exactly (weights 5, 1, 1 give
 * a a b a c a a). Large sets use stride scheduling, O(log n) per pick:
 * an endpoint is due again 1 / weight of virtual time after its last turn
 * and the earliest due goes next; the interleaving is as smooth, only ties
 * fall differently. Both carry each endpoint's state across set changes by
 * id, so a rebuilt array continues the sequence instead of restarting it.
 */
export class WeightedRoundRobinBalancer implements Balancer {
  readonly name = "weighted-round-robin";
  private readonly weights: EffectiveWeights;
  private readonly random: () => number;
  // Exact mode: nginx's running credit per live position. Stride mode keeps
  // each position's due time in the heap instead.
  private credit = new Float64Array(0);
  private stateOwners: readonly Endpoint[] = [];
  private heap: DeadlineHeap | undefined;
  private virtualNow = 0;

  constructor(options: ResolvedBalancerOptions) {
    this.weights = new EffectiveWeights("configured", options);
    this.random = options.random;
  }

  pick(endpoints: readonly Endpoint[], ctx: PickContext): Endpoint | undefined {
    if (this.weights.sync(endpoints, ctx.nowMs)) this.rebuild();
    const live = this.weights.live;
    if (live.length === 0) return undefined;
    return live[this.heap ? this.nextDue(this.heap) : this.richest()];
  }

  // nginx: everyone earns its weight in credit, the richest is picked and
  // pays back the total, which keeps the sum of credit where it was.
  private richest(): number {
    const { current, total } = this.weights;
    const credit = this.credit;
    let best = 0;
    let bestCredit = -Infinity;
    for (let position = 0; position < credit.length; position++) {
      const earned = credit[position] + current[position];
      credit[position] = earned;
      if (earned > bestCredit) {
        best = position;
        bestCredit = earned;
      }
    }
    credit[best] -= total;
    return best;
  }

  // Reads the current (possibly warming) weight at each turn, so slow start
  // needs no heap update: the next stride simply gets shorter.
  private nextDue(heap: DeadlineHeap): number {
    const position = heap.top();
    this.virtualNow = heap.topDeadline();
    heap.postponeTop(this.virtualNow + 1 / this.weights.current[position]);
    return position;
  }

  private rebuild(): void {
    const live = this.weights.live;
    const exact = live.length <= EXACT_ORDER_MAX_ENDPOINTS;
    const carried = this.carriedState(exact);
    const state = Float64Array.from(
      live,
      (endpoint, position) =>
        carried.get(endpoint.id) ?? this.freshState(position, exact),
    );
    if (exact) centreCredit(state);
    this.credit = exact ? state : new Float64Array(0);
    this.heap = exact ? undefined : new DeadlineHeap(state);
    this.stateOwners = live;
    this.virtualNow = 0;
  }

  // State by id, with due times made relative to now. Dropped when the
  // mode changes, since credit and due times do not translate.
  private carriedState(exact: boolean): Map<string, number> {
    const carried = new Map<string, number>();
    if (exact !== (this.heap === undefined)) return carried;
    const state = this.heap ? this.heap.deadlines() : this.credit;
    const offset = this.heap ? this.virtualNow : 0;
    this.stateOwners.forEach((endpoint, position) => {
      carried.set(endpoint.id, state[position] - offset);
    });
    return carried;
  }

  // nginx starts everyone at zero credit. A newcomer to a stride schedule
  // is due at a random point within its first stride, so endpoints added
  // together do not all fall due at the same moment.
  private freshState(position: number, exact: boolean): number {
    if (exact) return 0;
    return this.random() / this.weights.current[position];
  }
}

// Credit left behind by departed endpoints would shift the sum away from
// zero; a newcomer starting at zero would then wait, or take a burst,
// until the others caught up. Re-centring makes zero the average again.
function centreCredit(credit: Float64Array): void {
  if (credit.length === 0) return;
  const mean = credit.reduce((sum, value) => sum + value, 0) / credit.length;
  for (let position = 0; position < credit.length; position++) credit[position] -= mean;
}
