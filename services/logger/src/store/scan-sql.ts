import type { RecordFilter } from "./log-record.js";
import {
  cond,
  inList,
  joinConditions,
  levelConditions,
  recordColumns,
  type Sql,
  textConditions,
  timeConditions,
} from "./sql-parts.js";

/**
 * Matching records with afterSeq < seq <= throughSeq, in arrival order.
 * The rowid range drives the scan (NOT INDEXED keeps the planner from
 * sorting a whole source's slice by seq instead).
 */
export function arrivalSql(
  filter: RecordFilter,
  sourceIds: readonly number[] | undefined,
  afterSeq: number,
  throughSeq: number,
  limit: number,
): Sql {
  const where = joinConditions([
    cond("seq > ?", afterSeq),
    cond("seq <= ?", throughSeq),
    ...(sourceIds === undefined ? [] : [inList("source_id", sourceIds)]),
    ...levelConditions(filter),
    ...timeConditions(filter),
    ...textConditions(filter),
  ]);
  return {
    text: `SELECT ${recordColumns} FROM logs NOT INDEXED WHERE ${where.text} ORDER BY seq LIMIT ?`,
    params: [...where.params, limit],
  };
}

/** Milliseconds per row of the minute_counts rollup. */
export const rollupMs = 60_000;

/**
 * Counts per (bucket start, level) from the per-minute rollup, for
 * buckets of whole minutes over [sinceMs, untilMs) rounded out to whole
 * minutes. Cost follows minutes × sources, not records.
 */
export function rollupStatsSql(
  filter: RecordFilter,
  sourceIds: readonly number[] | undefined,
  bucketMs: number,
  sinceMs: number,
  untilMs: number,
): Sql {
  const where = joinConditions([
    cond("minute >= ?", Math.floor(sinceMs / rollupMs)),
    cond("minute < ?", Math.ceil(untilMs / rollupMs)),
    ...(sourceIds === undefined ? [] : [inList("source_id", sourceIds)]),
    ...levelConditions(filter),
  ]);
  return {
    text: `SELECT minute * ${rollupMs} - minute * ${rollupMs} % ? AS bucket, level,
             SUM(count) AS n FROM minute_counts
           WHERE ${where.text} GROUP BY bucket, level ORDER BY bucket`,
    params: [bucketMs, ...where.params],
  };
}

/** Counts per (bucket start, level) from the records themselves. */
export function recordStatsSql(
  filter: RecordFilter,
  sourceIds: readonly number[] | undefined,
  bucketMs: number,
): Sql {
  const where = joinConditions([
    ...(sourceIds === undefined ? [] : [inList("source_id", sourceIds)]),
    ...levelConditions(filter),
    ...timeConditions(filter),
    ...textConditions(filter),
  ]);
  return {
    text: `SELECT time - time % ? AS bucket, level, COUNT(*) AS n FROM logs
           WHERE ${where.text} GROUP BY bucket, level ORDER BY bucket`,
    params: [bucketMs, ...where.params],
  };
}
