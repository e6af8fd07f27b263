import type { RecordFilter } from "./log-record.js";
import { traceLevel } from "./log-record.js";

/** A piece of SQL with its parameters in order. */
export interface Sql {
  readonly text: string;
  readonly params: readonly (number | string)[];
}

/** The columns every record read selects, in StoredRow order. */
export const recordColumns = "seq, time, level, source_id, message, request_id, fields";

/** One row of `recordColumns`. */
export interface StoredRow {
  seq: number;
  time: number;
  level: number;
  source_id: number;
  message: string;
  request_id: string | null;
  fields: string | null;
}

/** Name of the SQL function that matches non-ASCII text case-insensitively. */
export const containsFunctionName = "microtodo_contains_ci";

export function cond(text: string, ...params: (number | string)[]): Sql {
  return { text, params };
}

export function inList(column: string, values: readonly number[]): Sql {
  if (values.length === 0) return { text: "0", params: [] };
  return { text: `${column} IN (${values.map(() => "?").join(", ")})`, params: values };
}

export function joinConditions(conditions: readonly Sql[]): Sql {
  if (conditions.length === 0) return { text: "1", params: [] };
  return {
    text: conditions.map((c) => c.text).join(" AND "),
    params: conditions.flatMap((c) => c.params),
  };
}

export function levelConditions(filter: RecordFilter): Sql[] {
  const min = filter.minLevel ?? traceLevel;
  return min > traceLevel ? [cond("level >= ?", min)] : [];
}

export function timeConditions(filter: RecordFilter): Sql[] {
  const out: Sql[] = [];
  if (filter.sinceMs !== undefined) out.push(cond("time >= ?", filter.sinceMs));
  if (filter.untilMs !== undefined) out.push(cond("time < ?", filter.untilMs));
  return out;
}

/**
 * Case-insensitive substring match. SQLite's LIKE folds ASCII letters
 * only, which is exact when the needle is ASCII; any other needle goes
 * through a JavaScript function with full Unicode lower-casing, slower
 * per row but only paid by such searches.
 */
export function textConditions(filter: RecordFilter): Sql[] {
  const text = filter.text;
  if (text === undefined || text === "") return [];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  if (/^[\u0000-\u007f]*$/.test(text)) {
    return [cond("message LIKE ? ESCAPE '\\'", `%${escapeLike(text)}%`)];
  }
  return [cond(`${containsFunctionName}(message, ?)`, text.toLowerCase())];
}

/** Escapes LIKE's wildcards so the text matches literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
