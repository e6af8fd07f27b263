/** A fixed-capacity buffer that forgets its oldest item when full. */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    const end = (this.#start + this.#size) % this.capacity;
    this.#items[end] = item;
    if (this.#size < this.capacity) this.#size++;
    else this.#start = (this.#start + 1) % this.capacity;
  }

  /** The newest item, if any. */
  last(): T | undefined {
    if (this.#size === 0) return undefined;
    return this.#items[(this.#start + this.#size - 1) % this.capacity];
  }

  /** The items, oldest first, that `keep` accepts. */
  toArray(keep: (item: T) => boolean = () => true): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) {
      const item = this.#items[(this.#start + i) % this.capacity] as T;
      if (keep(item)) out.push(item);
    }
    return out;
  }
}
