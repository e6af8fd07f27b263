import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Filter, FilterSchema, Level, type LogRecord } from "@microtodo/api/logger";
import { z } from "zod";
import { invalidArgument } from "../http/api-error.js";
import { isoTime } from "../instances/instance-json.js";

/** Level names, lowest first; a filter's level is the minimum. */
export const levelNames = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type LevelName = (typeof levelNames)[number];

/** The longest text filter, in characters. */
export const maxTextChars = 200;

const isoTimestamp = z.iso.datetime({
  offset: true,
  error: "must be an ISO-8601 time such as 2026-01-31T12:00:00Z",
});

/** A logger cursor: opaque, base64url, short. */
export const cursorSchema = z
  .string()
  .max(300, "must be at most 300 characters")
  .regex(/^[A-Za-z0-9_-]*$/, "is not a cursor this server issued");

/** The filter fields every log route accepts, as query parameters. */
export const logFilterFields = {
  service: z
    .string()
    .regex(/^[a-z0-9-]{1,63}$/, "must be a service type (a-z, 0-9, -; 1 to 63)")
    .optional(),
  instance: z.string().min(1).max(200, "must be at most 200 characters").optional(),
  level: z
    .enum(levelNames, { error: `must be one of ${levelNames.join(", ")}` })
    .optional(),
  text: z
    .string()
    .max(maxTextChars, `must be at most ${maxTextChars} characters`)
    .optional(),
  since: isoTimestamp.optional(),
  until: isoTimestamp.optional(),
};

/** The filters as parsed from a query string. */
export interface LogFilterInput {
  readonly service?: string | undefined;
  readonly instance?: string | undefined;
  readonly level?: LevelName | undefined;
  readonly text?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
}

/** The logger's Filter for the parsed query; since must come before until. */
export function toLoggerFilter(input: LogFilterInput, range?: TimeRangeMs): Filter {
  const sinceMs = range?.sinceMs ?? timeMs(input.since);
  const untilMs = range?.untilMs ?? timeMs(input.until);
  if (sinceMs !== undefined && untilMs !== undefined && sinceMs >= untilMs) {
    throw invalidArgument("since: must be before until");
  }
  return create(FilterSchema, {
    serviceType: input.service ?? "",
    instance: input.instance ?? "",
    minLevel: input.level ? levelOf(input.level) : Level.UNSPECIFIED,
    text: input.text ?? "",
    since: sinceMs === undefined ? undefined : timestampFromMs(sinceMs),
    until: untilMs === undefined ? undefined : timestampFromMs(untilMs),
  });
}

/** A time range in ms since the epoch. */
export interface TimeRangeMs {
  readonly sinceMs: number;
  readonly untilMs: number;
}

function timeMs(iso: string | undefined): number | undefined {
  return iso === undefined ? undefined : Date.parse(iso);
}

function levelOf(name: LevelName): Level {
  return (levelNames.indexOf(name) + 1) as Level;
}

/** The contract's name of a logger level. */
export function levelName(level: Level): LevelName {
  return levelNames[level - 1] ?? "info";
}

/** A log record as the contract's JSON has it. */
export interface LogRecordJson {
  readonly cursor: string;
  readonly time: string;
  readonly level: LevelName;
  readonly serviceType: string;
  readonly instance: string;
  readonly message: string;
  readonly requestId: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export function logRecordJson(record: LogRecord): LogRecordJson {
  return {
    cursor: record.cursor,
    time: isoTime(record.time),
    level: levelName(record.level),
    serviceType: record.serviceType,
    instance: record.instance,
    message: record.message,
    requestId: record.requestId,
    fields: record.fields ?? {},
  };
}
