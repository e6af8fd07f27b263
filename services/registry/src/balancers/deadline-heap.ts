/**
 * A binary min-heap of positions keyed by a deadline (ties by position, so
 * the order is deterministic). Keys sit next to their positions in heap
 * order, so a sift touches two compact arrays and nothing else.
 */
export class DeadlineHeap {
  private readonly keys: Float64Array;
  private readonly items: Int32Array;

  /** Heapifies positions 0..n-1 keyed by `deadlines[position]`, in O(n). */
  constructor(deadlines: Float64Array) {
    this.keys = Float64Array.from(deadlines);
    this.items = Int32Array.from({ length: deadlines.length }, (_, position) => position);
    for (let slot = (deadlines.length >> 1) - 1; slot >= 0; slot--) this.siftDown(slot);
  }

  /** The position with the earliest deadline. */
  top(): number {
    return this.items[0];
  }

  /** The earliest deadline. */
  topDeadline(): number {
    return this.keys[0];
  }

  /** Moves the top position's deadline later to `deadline` and restores order. */
  postponeTop(deadline: number): void {
    this.keys[0] = deadline;
    this.siftDown(0);
  }

  /** Every position's deadline, indexed by position. */
  deadlines(): Float64Array {
    const byPosition = new Float64Array(this.items.length);
    this.items.forEach((position, slot) => {
      byPosition[position] = this.keys[slot];
    });
    return byPosition;
  }

  private siftDown(start: number): void {
    const { keys, items } = this;
    const size = items.length;
    const key = keys[start];
    const item = items[start];
    let slot = start;
    for (;;) {
      let child = 2 * slot + 1;
      if (child >= size) break;
      if (
        child + 1 < size &&
        before(keys[child + 1], items[child + 1], keys[child], items[child])
      ) {
        child++;
      }
      if (!before(keys[child], items[child], key, item)) break;
      keys[slot] = keys[child];
      items[slot] = items[child];
      slot = child;
    }
    keys[slot] = key;
    items[slot] = item;
  }
}

function before(keyA: number, itemA: number, keyB: number, itemB: number): boolean {
  return keyA < keyB || (keyA === keyB && itemA < itemB);
}
