import { emptyLevelCounts, type LevelCounts } from "./log-record.js";
import { rollupMs } from "./scan-sql.js";

/** How one batch changes a source's row in `sources`. */
export interface SourceDelta {
  minTimeMs: number;
  maxTimeMs: number;
  readonly counts: LevelCounts;
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
  readonly minutes = new Map<string, MinuteDelta>();

  add(sourceId: number, timeMs: number, level: number): void {
    let source = this.sources.get(sourceId);
    if (!source) {
      source = { minTimeMs: timeMs, maxTimeMs: timeMs, counts: emptyLevelCounts() };
      this.sources.set(sourceId, source);
    }
    if (timeMs < source.minTimeMs) source.minTimeMs = timeMs;
    if (timeMs > source.maxTimeMs) source.maxTimeMs = timeMs;
    source.counts[level - 1] = (source.counts[level - 1] ?? 0) + 1;

    const minute = Math.floor(timeMs / rollupMs);
    const key = `${minute}:${sourceId}:${level}`;
    const row = this.minutes.get(key);
    if (row) row.count++;
    else this.minutes.set(key, { sourceId, minute, level, count: 1 });
  }
}
