import {
  fatalLevel,
  type RecordFilter,
  type RecordPosition,
  traceLevel,
} from "./log-record.js";
import {
  cond,
  inList,
  joinConditions,
  recordColumns,
  type Sql,
  textConditions,
  timeConditions,
} from "./sql-parts.js";

/** What a page read needs: filter, order, size and where to start. */
export interface PageSpec {
  readonly filter: RecordFilter;
  readonly newestFirst: boolean;
  readonly limit: number;
  /** Start strictly after this position in the page order. */
  readonly after?: RecordPosition;
}

/**
 * One index range read in (time, seq) order. `key` selects the range
 * (with the time bounds, the position and the window); `residual` are
 * the conditions checked row by row inside it.
 */
interface Arm {
  readonly index: string;
  readonly key: readonly Sql[];
  readonly residual: readonly Sql[];
}

/** How a page is read: one arm per index range, merged. */
export interface PagePlan {
  readonly arms: readonly Arm[];
  /** True when rows are read that may not match, so a scan can run long. */
  readonly filtersRows: boolean;
}

// The lowest level in the partial index logs_level_time (warn).
const levelIndexFrom = 4;

// SQLite refuses compound SELECTs of more than 500 arms; past this many
// sources a page reads the time index and filters instead.
const maxUnionArms = 400;

/**
 * Picks the index ranges that serve a filter in (time, seq) order. A
 * filter on one service type reads each instance's slice of
 * (source_id, time), a filter on warnings and worse each level's slice of
 * (level, time); the slices are merged, so a page costs O(limit × arms)
 * however many records are stored, where one IN (...) would have to sort
 * every match. Anything else reads (time) and checks rows one by one.
 */
export function planPage(
  filter: RecordFilter,
  sourceIds: readonly number[] | undefined,
): PagePlan {
  const text = textConditions(filter);
  const minLevel = filter.minLevel ?? traceLevel;
  const levelAtLeast = minLevel > traceLevel ? [cond("level >= ?", minLevel)] : [];
  let arms: Arm[];
  if (sourceIds !== undefined && sourceIds.length <= maxUnionArms) {
    arms = sourceIds.map((id) => ({
      index: "logs_source_time",
      key: [cond("source_id = ?", id)],
      residual: [...levelAtLeast, ...text],
    }));
  } else if (sourceIds !== undefined) {
    const residual = [inList("source_id", sourceIds), ...levelAtLeast, ...text];
    arms = [{ index: "logs_time", key: [], residual }];
  } else if (minLevel >= levelIndexFrom) {
    arms = [];
    for (let level = minLevel; level <= fatalLevel; level++) {
      arms.push({
        index: "logs_level_time",
        // SQLite uses a partial index only when the query repeats its
        // condition word for word.
        key: [cond("level = ?", level), cond(`level >= ${levelIndexFrom}`)],
        residual: text,
      });
    }
  } else if (minLevel > traceLevel) {
    arms = [{ index: "logs_time", key: [], residual: [...levelAtLeast, ...text] }];
  } else {
    arms = [{ index: "logs_time", key: [], residual: text }];
  }
  return { arms, filtersRows: arms.some((a) => a.residual.length > 0) };
}

/** The records of a page, up to `through` (inclusive) when given. */
export function pageSql(plan: PagePlan, spec: PageSpec, through?: RecordPosition): Sql {
  const arms = plan.arms.map((arm) => {
    const where = joinConditions([
      ...rangeConditions(arm, spec, through),
      ...arm.residual,
    ]);
    return {
      text: `SELECT ${recordColumns} FROM logs INDEXED BY ${arm.index} WHERE ${where.text}`,
      params: where.params,
    };
  });
  return merge(arms, orderBy(spec), spec.limit);
}

/**
 * The position `windowRows` index entries after `spec.after` in page
 * order, across all arms: the end of the next scan window. Reads the
 * indexes only (each holds time and seq), never the rows. No row when
 * fewer entries remain.
 */
export function windowEndSql(plan: PagePlan, spec: PageSpec, windowRows: number): Sql {
  const order = orderBy(spec);
  const arms = plan.arms.map((arm) => {
    const where = joinConditions(rangeConditions(arm, spec, undefined));
    return {
      text: `SELECT time, seq FROM logs INDEXED BY ${arm.index} WHERE ${where.text} ${order} LIMIT ?`,
      params: [...where.params, windowRows],
    };
  });
  const merged = arms.map((a) => `SELECT * FROM (${a.text})`).join(" UNION ALL ");
  return {
    text: `${merged} ${order} LIMIT 1 OFFSET ?`,
    params: [...arms.flatMap((a) => a.params), windowRows - 1],
  };
}

function rangeConditions(
  arm: Arm,
  spec: PageSpec,
  through: RecordPosition | undefined,
): Sql[] {
  return [
    ...arm.key,
    ...timeConditions(spec.filter),
    ...afterConditions(spec),
    ...throughConditions(spec.newestFirst, through),
  ];
}

function orderBy(spec: PageSpec): string {
  const dir = spec.newestFirst ? "DESC" : "ASC";
  return `ORDER BY time ${dir}, seq ${dir}`;
}

function merge(arms: readonly Sql[], order: string, limit: number): Sql {
  if (arms.length === 0)
    return { text: `SELECT ${recordColumns} FROM logs WHERE 0`, params: [] };
  const [only] = arms;
  if (arms.length === 1 && only) {
    return { text: `${only.text} ${order} LIMIT ?`, params: [...only.params, limit] };
  }
  const parts = arms.map((a) => `SELECT * FROM (${a.text} ${order} LIMIT ?)`);
  return {
    text: `${parts.join(" UNION ALL ")} ${order} LIMIT ?`,
    params: [...arms.flatMap((a) => [...a.params, limit]), limit],
  };
}

// In both helpers the first condition bounds the index range and the
// second settles rows on the boundary time by seq.
function afterConditions(spec: PageSpec): Sql[] {
  const after = spec.after;
  if (!after) return [];
  const { timeMs, seq } = after;
  if (spec.newestFirst) {
    return [cond("time <= ?", timeMs), cond("(time < ? OR seq < ?)", timeMs, seq)];
  }
  return [cond("time >= ?", timeMs), cond("(time > ? OR seq > ?)", timeMs, seq)];
}

function throughConditions(
  newestFirst: boolean,
  through: RecordPosition | undefined,
): Sql[] {
  if (!through) return [];
  const { timeMs, seq } = through;
  if (newestFirst) {
    return [cond("time >= ?", timeMs), cond("(time > ? OR seq >= ?)", timeMs, seq)];
  }
  return [cond("time <= ?", timeMs), cond("(time < ? OR seq <= ?)", timeMs, seq)];
}
