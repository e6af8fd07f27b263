/**
 * A Fenwick (binary indexed) tree over positive weights: draws a position
 * in proportion to its weight in O(log n) and changes one weight in
 * O(log n), so slow start can re-weigh a few warming endpoints without
 * rebuilding prefix sums over the whole set.
 */
export class WeightTree {
  // 1-based: node i holds the sum of the (i & -i) weights ending at i.
  private readonly nodes: Float64Array;
  private readonly topStep: number;

  constructor(
    weights: Float64Array,
    private readonly size: number,
  ) {
    this.nodes = new Float64Array(size + 1);
    for (let i = 1; i <= size; i++) {
      this.nodes[i] += weights[i - 1];
      const parent = i + (i & -i);
      if (parent <= size) this.nodes[parent] += this.nodes[i];
    }
    let step = 1;
    while (step * 2 <= size) step *= 2;
    this.topStep = step;
  }

  /** Adds `delta` to the weight at 0-based `position`. */
  add(position: number, delta: number): void {
    for (let i = position + 1; i <= this.size; i += i & -i) {
      this.nodes[i] += delta;
    }
  }

  /**
   * The 0-based position whose cumulative range holds `target`, a number
   * from 0 to the total weight. Rounding can push `target` past the last
   * range; the last position is returned then.
   */
  find(target: number): number {
    const nodes = this.nodes;
    let position = 0;
    let rest = target;
    for (let step = this.topStep; step > 0; step >>= 1) {
      const next = position + step;
      if (next <= this.size && nodes[next] <= rest) {
        rest -= nodes[next];
        position = next;
      }
    }
    return position < this.size ? position : this.size - 1;
  }
}
