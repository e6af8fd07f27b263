import type { StoredDue } from "../store/todo-store.js";

/**
 * The sort key of "no due date": above every date key, so undated tasks
 * come last when ordering by due.
 */
export const NO_DUE_KEY = "~";

// Milliseconds from 0001-01-01T00:00:00Z to the Unix epoch: shifting by it
// keeps every allowed instant non-negative, so zero-padded decimal keys
// sort like the instants they stand for.
const EPOCH_SHIFT_MS = 62_135_596_800_000;
const KEY_DIGITS = 15;
/** Earliest due instant accepted: 0001-01-01T00:00:00Z. */
export const MIN_DUE_MS = -EPOCH_SHIFT_MS;
/** Latest due instant accepted: 9999-12-31T23:59:59.999Z. */
export const MAX_DUE_MS = 253_402_300_799_999;

/**
 * The string that orders tasks by due date. A date-only due counts as the
 * start of that day in UTC: the task carries no zone, and one fixed rule
 * keeps the order the same for every reader.
 */
export function dueSortKey(due: StoredDue | null): string {
  if (due === null) return NO_DUE_KEY;
  return instantKey(due.kind === "date" ? dateStartMs(due.date) : due.timeMs);
}

/** The sort key of an instant, for due_before/due_after bounds. */
export function instantKey(ms: number): string {
  const clamped = Math.min(Math.max(ms, MIN_DUE_MS), MAX_DUE_MS);
  return String(clamped + EPOCH_SHIFT_MS).padStart(KEY_DIGITS, "0");
}

/** Milliseconds at 00:00 UTC of a "YYYY-MM-DD" date, or NaN if it is no calendar date. */
export function dateStartMs(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return Number.NaN;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear undoes that.
  back.setUTCFullYear(year);
  const exact =
    back.getUTCFullYear() === year &&
    back.getUTCMonth() === month - 1 &&
    back.getUTCDate() === day;
  return exact && year >= 1 ? back.getTime() : Number.NaN;
}

/** Whether `zone` is an IANA time zone name this runtime knows. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
