/**
 * Vose's alias method: after an O(n) build, draws a position in proportion
 * to fixed weights in O(1) with one uniform number and one table read,
 * where a prefix-sum search takes log2(n) dependent, unpredictable steps.
 */
export class AliasTable {
  // Column i keeps position i when the draw's fractional part is below
  // keep[i], and yields alias[i] otherwise.
  private readonly keep: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: Float64Array) {
    const size = weights.length;
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    const scaled = Float64Array.from(weights, (weight) => (weight * size) / total);
    this.keep = new Float64Array(size).fill(1);
    this.alias = Int32Array.from({ length: size }, (_, position) => position);
    const small: number[] = [];
    const large: number[] = [];
    for (let position = 0; position < size; position++) {
      if (scaled[position] < 1) small.push(position);
      else large.push(position);
    }
    // Each short column is topped up from a tall one, which shrinks by as
    // much. Columns left over when one list runs out are full up to
    // rounding, so they keep themselves (the defaults above).
    while (small.length > 0 && large.length > 0) {
      const short = small.pop() as number;
      const tall = large.pop() as number;
      this.keep[short] = scaled[short];
      this.alias[short] = tall;
      scaled[tall] += scaled[short] - 1;
      if (scaled[tall] < 1) small.push(tall);
      else large.push(tall);
    }
  }

  /** A position drawn in proportion to its weight; `u` is uniform in [0, 1). */
  sample(u: number): number {
    const scaled = u * this.keep.length;
    const column = Math.floor(scaled);
    return scaled - column < this.keep[column] ? column : this.alias[column];
  }
}
