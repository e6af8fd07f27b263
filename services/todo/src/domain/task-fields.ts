import type { StoredDue } from "../store/todo-store.js";
import { dateStartMs, isKnownTimeZone, MAX_DUE_MS, MIN_DUE_MS } from "./due.js";
import { invalidArgument } from "./todo-errors.js";
import type { TodoLimits } from "./todo-limits.js";

/** A due date as a request carries it; all empty means "no due date". */
export interface DueInput {
  /** "YYYY-MM-DD". */
  readonly date?: string;
  /** An instant, ms since the epoch. */
  readonly timeMs?: number;
  /** IANA zone of `timeMs`; empty means UTC. */
  readonly timeZone?: string;
}

/** Length in characters as people count them (code points, not UTF-16 units). */
export function charCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** A checked title: 1 to maxTitleChars characters, not only whitespace. */
export function checkTitle(title: string, limits: TodoLimits, field = "title"): string {
  if (title.trim() === "") throw invalidArgument(field, "must not be empty");
  const length = charCount(title);
  if (length > limits.maxTitleChars) {
    throw invalidArgument(
      field,
      `at most ${limits.maxTitleChars} characters (got ${length})`,
    );
  }
  return title;
}

/** Checked notes: at most maxNotesChars characters. */
export function checkNotes(notes: string, limits: TodoLimits, field = "notes"): string {
  const length = charCount(notes);
  if (length > limits.maxNotesChars) {
    throw invalidArgument(
      field,
      `at most ${limits.maxNotesChars} characters (got ${length})`,
    );
  }
  return notes;
}

/** A checked list name: 1 to maxListNameChars characters, not only whitespace. */
export function checkListName(name: string, limits: TodoLimits, field = "name"): string {
  if (name.trim() === "") throw invalidArgument(field, "must not be empty");
  const length = charCount(name);
  if (length > limits.maxListNameChars) {
    throw invalidArgument(
      field,
      `at most ${limits.maxListNameChars} characters (got ${length})`,
    );
  }
  return name;
}

/** A checked due date, or null for none. */
export function checkDue(
  due: DueInput | null | undefined,
  field = "due",
): StoredDue | null {
  if (!due) return null;
  const { date, timeMs, timeZone } = due;
  if (date !== undefined && date !== "") {
    if (timeMs !== undefined)
      throw invalidArgument(field, "set either date or time, not both");
    if (timeZone) throw invalidArgument(`${field}.time_zone`, "only goes with time");
    if (Number.isNaN(dateStartMs(date))) {
      throw invalidArgument(
        `${field}.date`,
        `expected a calendar date YYYY-MM-DD, got "${date}"`,
      );
    }
    return { kind: "date", date };
  }
  if (timeMs === undefined) {
    if (timeZone) throw invalidArgument(`${field}.time_zone`, "only goes with time");
    return null;
  }
  if (!Number.isFinite(timeMs) || timeMs < MIN_DUE_MS || timeMs > MAX_DUE_MS) {
    throw invalidArgument(`${field}.time`, "must lie between years 0001 and 9999");
  }
  const zone = timeZone || "UTC";
  if (!isKnownTimeZone(zone)) {
    throw invalidArgument(`${field}.time_zone`, `unknown IANA time zone "${zone}"`);
  }
  return { kind: "time", timeMs, timeZone: zone };
}

/** A required id field. */
export function checkId(value: string, field: string): string {
  if (value === "") throw invalidArgument(field, "required");
  if (value.length > 128) throw invalidArgument(field, "at most 128 characters");
  return value;
}
