/**
 * A bounded FIFO of log lines (a ring over a fixed array). Adding past
 * either bound drops the oldest lines; callers count the drops. Sizes are
 * string lengths (UTF-16 units), close to UTF-8 bytes for the mostly
 * ASCII JSON that pino writes, and free to compute.
 */
export class LogShipperBuffer {
  readonly #slots: (string | undefined)[];
  readonly #capacityBytes: number;
  #head = 0;
  #count = 0;
  #bytes = 0;

  constructor(capacityRecords: number, capacityBytes: number) {
    this.#slots = new Array<string | undefined>(Math.max(1, capacityRecords));
    this.#capacityBytes = capacityBytes;
  }

  get length(): number {
    return this.#count;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Appends a line; returns how many lines were dropped to make room. */
  push(line: string): number {
    if (line.length > this.#capacityBytes) return 1;
    let dropped = 0;
    while (
      this.#count === this.#slots.length ||
      this.#bytes + line.length > this.#capacityBytes
    ) {
      this.#shift();
      dropped++;
    }
    this.#slots[(this.#head + this.#count) % this.#slots.length] = line;
    this.#count++;
    this.#bytes += line.length;
    return dropped;
  }

  /** Removes and returns up to `maxRecords` oldest lines, within `maxBytes`. */
  take(maxRecords: number, maxBytes: number): string[] {
    const out: string[] = [];
    let bytes = 0;
    while (out.length < maxRecords && this.#count > 0) {
      const next = this.#slots[this.#head] ?? "";
      if (out.length > 0 && bytes + next.length > maxBytes) break;
      out.push(this.#shift());
      bytes += next.length;
    }
    return out;
  }

  /**
   * Puts taken lines back in front (they are older than anything held),
   * keeping the newest of them that fit. Returns how many were dropped.
   */
  restore(lines: readonly string[]): number {
    let index = lines.length - 1;
    for (; index >= 0; index--) {
      const line = lines[index] ?? "";
      const full = this.#count === this.#slots.length;
      if (full || this.#bytes + line.length > this.#capacityBytes) break;
      this.#head = (this.#head - 1 + this.#slots.length) % this.#slots.length;
      this.#slots[this.#head] = line;
      this.#count++;
      this.#bytes += line.length;
    }
    return index + 1;
  }

  #shift(): string {
    const line = this.#slots[this.#head] ?? "";
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#slots.length;
    this.#count--;
    this.#bytes -= line.length;
    return line;
  }
}
