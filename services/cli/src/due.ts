import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Due, DueSchema } from "@microtodo/api/todo";
import { UsageError } from "./cli-errors.js";

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const wallTimePattern = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const instantPattern =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Turns --due (and --tz) into a Due: "YYYY-MM-DD" is a calendar date;
 * "YYYY-MM-DDTHH:MM" is that wall time in --tz, or in `localZone` without
 * it; a time with "Z" or an offset is that instant, labelled with the zone.
 */
export function parseDue(
  text: string,
  timeZone: string | undefined,
  localZone: string,
): Due {
  const date = datePattern.exec(text);
  if (date) {
    if (timeZone !== undefined) {
      throw new UsageError("--tz needs a time in --due, as in --due 2026-12-24T10:00");
    }
    requireRealDate(text, date);
    return create(DueSchema, { when: { case: "date", value: text } });
  }
  const zone = requireZone(timeZone ?? localZone);
  const ms = wallTimeToMs(text, zone) ?? instantToMs(text);
  if (ms === undefined) {
    throw new UsageError(`--due must be YYYY-MM-DD or YYYY-MM-DDTHH:MM, got '${text}'`);
  }
  return create(DueSchema, {
    when: { case: "time", value: timestampFromMs(ms) },
    timeZone: zone,
  });
}

/** "2026-12-24", or "2026-12-24 10:00 Europe/Paris" in the zone it was set in. */
export function formatDue(due: Due | undefined): string {
  if (due?.when.case === "date") return due.when.value;
  if (due?.when.case !== "time") return "";
  const ms = timestampDate(due.when.value).getTime();
  const zone = isZone(due.timeZone) ? due.timeZone : "UTC";
  const [y, mo, d, h, mi] = zoneFields(ms, zone);
  return `${y}-${two(mo)}-${two(d)} ${two(h)}:${two(mi)} ${zone}`;
}

/** The zone this machine is set to, such as "Europe/Paris". */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function wallTimeToMs(text: string, zone: string): number | undefined {
  const match = wallTimePattern.exec(text);
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = requireRealDate(text, match);
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  // The zone's offset at the guess may differ from the offset at the answer
  // across a DST change; the second pass settles it.
  const first = wall - zoneOffsetMs(wall, zone);
  return wall - zoneOffsetMs(first, zone);
}

function instantToMs(text: string): number | undefined {
  if (!instantPattern.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Year, month, day, hour, minute, second. */
type DateParts = [number, number, number, number, number, number];

/** The numbers of a matched date (and time), checked to exist on a calendar. */
function requireRealDate(text: string, match: RegExpExecArray): DateParts {
  const numbers = [1, 2, 3, 4, 5, 6].map((i) => Number(match[i] ?? 0));
  const [y, mo, d, h, mi, s] = numbers as DateParts;
  const date = new Date(Date.UTC(y, mo - 1, d));
  const sameDay =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d;
  if (!sameDay || h > 23 || mi > 59 || s > 59) {
    throw new UsageError(`--due '${text}' is not a real date and time`);
  }
  return [y, mo, d, h, mi, s];
}

function requireZone(zone: string): string {
  if (!isZone(zone)) {
    throw new UsageError(
      `--tz must be an IANA time zone such as Europe/Paris, got '${zone}'`,
    );
  }
  return zone;
}

function isZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** How far the zone's wall clock is ahead of UTC at an instant. */
function zoneOffsetMs(ms: number, zone: string): number {
  const [y, mo, d, h, mi, s] = zoneFields(ms, zone);
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(ms / 1000) * 1000;
}

function zoneFields(
  ms: number,
  zone: string,
): [number, number, number, number, number, number] {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((part) => part.type === type)?.value ?? 0);
  return [
    get("year"),
    get("month"),
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  ];
}

function two(n: number): string {
  return String(n).padStart(2, "0");
}
