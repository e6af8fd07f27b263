import { AliasTable } from "./alias-table.js";
import type { Endpoint } from "./balancer.js";
import { type SlowStartOptions, slowStartFraction } from "./slow-start.js";
import { WeightTree } from "./weight-tree.js";

// Below this share of the full weight still in play (most of the set
// warming), rejection draws waste too many tries and a Fenwick tree over
// the current weights takes over: O(log n) per draw and per re-weighing.
const REJECTION_MIN_ACCEPTANCE = 0.5;

/** Whether endpoints weigh what the catalog says ("configured") or the same ("equal"). */
export type WeightSource = "configured" | "equal";

/**
 * What each endpoint of a set weighs right now, shared by every balancer:
 * the weight-0 rule, slow start, and weighted draws.
 *
 * Work is proportional to change: a new array costs O(n) once; a stable
 * set costs O(1) per pick; while endpoints warm up, only those endpoints
 * are re-weighed, every 1% of the slow-start window.
 */
export class EffectiveWeights {
  /** The array last synced; a different one means the set changed. */
  endpoints: readonly Endpoint[] = [];
  /** Endpoints that may be picked, in array order: weight > 0, or all when every weight is 0. */
  live: readonly Endpoint[] = [];
  /** Full weight per live position. */
  base = new Float64Array(0);
  /** Weight per live position now, slow start applied. */
  current = new Float64Array(0);
  /** Sum of `base`. */
  baseTotal = 0;
  /** Sum of `current`. */
  total = 0;
  /** Every live endpoint weighs the same right now, so a draw is a plain index. */
  uniform = true;

  private warming: number[] = [];
  private oldestAddedAtMs = 0;
  private nextRampAtMs = Infinity;
  private basesEqual = true;
  private alias: AliasTable | undefined;
  private tree: WeightTree | undefined;
  private readonly rampStepMs: number;

  constructor(
    private readonly source: WeightSource,
    private readonly options: SlowStartOptions,
  ) {
    this.rampStepMs = Math.max(1, options.slowStartWindowMs / 100);
  }

  /** Catches up with `endpoints` at `nowMs`; true when the set changed and derived state must be rebuilt. */
  sync(endpoints: readonly Endpoint[], nowMs: number): boolean {
    if (endpoints !== this.endpoints) {
      this.rebuild(endpoints, nowMs);
      return true;
    }
    if (nowMs >= this.nextRampAtMs) this.ramp(nowMs);
    return false;
  }

  /** A live position drawn in proportion to its current weight. */
  draw(random: () => number): number {
    if (this.uniform) return Math.floor(random() * this.live.length);
    if (this.total >= this.baseTotal * REJECTION_MIN_ACCEPTANCE) {
      return this.drawByRejection(random);
    }
    this.tree ??= new WeightTree(this.current, this.live.length);
    return this.tree.find(random() * this.total);
  }

  /** The part of its full weight the endpoint at `position` gets now (below 1 while warming). */
  fraction(position: number): number {
    return this.current[position] / this.base[position];
  }

  // Draws by full weight (O(1), and unaffected by ramping) and keeps a
  // warming endpoint with probability equal to its fraction, which is exact.
  // Overall acceptance is total / baseTotal, so at least half the draws are
  // kept; after 64 refusals (odds below 2^-64) the last draw stands.
  private drawByRejection(random: () => number): number {
    let position = 0;
    for (let attempt = 0; attempt < 64; attempt++) {
      position = this.drawByBase(random);
      const fraction = this.current[position] / this.base[position];
      if (fraction >= 1 || random() < fraction) return position;
    }
    return position;
  }

  private drawByBase(random: () => number): number {
    if (this.basesEqual) return Math.floor(random() * this.live.length);
    this.alias ??= new AliasTable(this.base);
    return this.alias.sample(random());
  }

  private rebuild(endpoints: readonly Endpoint[], nowMs: number): void {
    const anyWeighted = endpoints.some((endpoint) => endpoint.weight > 0);
    const live = anyWeighted
      ? endpoints.filter((endpoint) => endpoint.weight > 0)
      : endpoints;
    const useWeights = anyWeighted && this.source === "configured";
    this.endpoints = endpoints;
    this.live = live;
    this.base = Float64Array.from(live, (endpoint) => (useWeights ? endpoint.weight : 1));
    this.current = Float64Array.from(this.base);
    this.baseTotal = this.base.reduce((sum, weight) => sum + weight, 0);
    this.total = this.baseTotal;
    this.basesEqual = this.base.every((weight) => weight === this.base[0]);
    this.tree = undefined;
    this.alias = undefined;
    this.oldestAddedAtMs = oldestAddedAtMs(live);
    this.warming = this.findWarming(nowMs);
    this.ramp(nowMs);
  }

  // Only endpoints younger than the oldest and still inside the window can
  // weigh less than their full weight; everyone else is left alone.
  private findWarming(nowMs: number): number[] {
    const windowMs = this.options.slowStartWindowMs;
    const warming: number[] = [];
    if (windowMs <= 0) return warming;
    this.live.forEach((endpoint, position) => {
      const younger = endpoint.addedAtMs > this.oldestAddedAtMs;
      if (younger && nowMs - endpoint.addedAtMs < windowMs) warming.push(position);
    });
    return warming;
  }

  private ramp(nowMs: number): void {
    const oldestAgeMs = nowMs - this.oldestAddedAtMs;
    let kept = 0;
    for (const position of this.warming) {
      const ageMs = nowMs - this.live[position].addedAtMs;
      const fraction = slowStartFraction(ageMs, oldestAgeMs, this.options);
      this.setCurrent(position, this.base[position] * fraction);
      if (fraction < 1) this.warming[kept++] = position;
    }
    this.warming.length = kept;
    this.uniform = this.basesEqual && kept === 0;
    this.nextRampAtMs = kept > 0 ? nowMs + this.rampStepMs : Infinity;
  }

  private setCurrent(position: number, weight: number): void {
    const delta = weight - this.current[position];
    if (delta === 0) return;
    this.current[position] = weight;
    this.total += delta;
    this.tree?.add(position, delta);
  }
}

function oldestAddedAtMs(endpoints: readonly Endpoint[]): number {
  let oldest = Infinity;
  for (const endpoint of endpoints) oldest = Math.min(oldest, endpoint.addedAtMs);
  return oldest;
}
