import { emptyLevelCounts, type LevelCounts } from "./log-record.js";
import { rollupMs } from "./scan-sql.js";

/** How one batch changes a source's row in `sources`. */
export interface SourceDelta {
  minTimeMs: number;
  maxTimeMs: number;
  readonly counts: LevelCounts;
  /** This source's rows of `minute_counts`, keyed by `minute * 8 + level`. */
  readonly minutes: Map<number, MinuteDelta>;
}

/** How one batch changes one row of `minute_counts`. */
export interface MinuteDelta {
  readonly sourceId: number;
  readonly minute: number;
  readonly level: number;
  count: number;
}

/**
 * The counts a batch of inserted or deleted records adds to or takes from
 * the `sources` and `minute_counts` tables, gathered in memory first so
 * each touched row is written once per batch instead of once per record.
 */
export class CountDeltas {
  readonly sources = new Map<number, SourceDelta>();
  // Batches mostly come from one shipper, so consecutive records tend to
  // share a source; remembering the last one skips most map lookups.
  #lastSourceId = -1;
  #lastSource: SourceDelta | undefined;

  add(sourceId: number, timeMs: number, level: number): void {
    const source = this.#sourceDelta(sourceId, timeMs);
    if (timeMs < source.minTimeMs) source.minTimeMs = timeMs;
    if (timeMs > source.maxTimeMs) source.maxTimeMs = timeMs;
    source.counts[level - 1] = (source.counts[level - 1] ?? 0) + 1;

    // A numeric key (levels are 1–6, below 8) instead of a string one: this
    // runs once per stored record.
    const minute = Math.floor(timeMs / rollupMs);
    const key = minute * 8 + level;
    const row = source.minutes.get(key);
    if (row) row.count++;
    else source.minutes.set(key, { sourceId, minute, level, count: 1 });
  }

  /** Every touched row of `minute_counts`. */
  *minutes(): Iterable<MinuteDelta> {
    for (const source of this.sources.values()) yield* source.minutes.values();
  }

  #sourceDelta(sourceId: number, timeMs: number): SourceDelta {
    if (sourceId === this.#lastSourceId && this.#lastSource) return this.#lastSource;
    let source = this.sources.get(sourceId);
    if (!source) {
      source = {
        minTimeMs: timeMs,
        maxTimeMs: timeMs,
        counts: emptyLevelCounts(),
        minutes: new Map(),
      };
      this.sources.set(sourceId, source);
    }
    this.#lastSourceId = sourceId;
    this.#lastSource = source;
    return source;
  }
}
