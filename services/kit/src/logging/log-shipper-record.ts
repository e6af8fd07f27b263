import { create, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Level, type LogRecord, LogRecordSchema } from "@microtodo/api/logger";

// The logger refuses records past these sizes (its limits.ts); the
// shipper trims records to fit rather than lose them.
const maxMessageBytes = 8 * 1024;
const maxFieldsBytes = 16 * 1024;
// Room left in `fields` for the note saying which keys were left out.
const fieldsNoteBytes = 1024;

/** Service type and instance used when a line does not carry its own. */
export interface RecordDefaults {
  readonly service: string;
  readonly instance: string;
}

// Keys of a pino line that have their own LogRecord field.
const ownKeys = new Set(["time", "level", "msg", "reqId", "service", "instance"]);

/**
 * The LogRecord for one pino JSON line. Anything unexpected still yields
 * a record: a line that is not JSON becomes the message of an info record.
 */
export function pinoLineToRecord(line: string, defaults: RecordDefaults): LogRecord {
  const parsed = parseObject(line);
  if (!parsed) {
    return create(LogRecordSchema, {
      time: timestampFromMs(Date.now()),
      level: Level.INFO,
      serviceType: defaults.service,
      instance: defaults.instance,
      message: fitBytes(line, maxMessageBytes),
    });
  }
  const rest: JsonObject = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!ownKeys.has(key)) rest[key] = value;
  }
  return create(LogRecordSchema, {
    time: timestampFromMs(timeMs(parsed.time)),
    level: levelOf(parsed.level),
    serviceType: stringOr(parsed.service, defaults.service),
    instance: stringOr(parsed.instance, defaults.instance),
    message: fitBytes(messageOf(parsed.msg), maxMessageBytes),
    requestId: stringOr(parsed.reqId, ""),
    fieldsJson: Object.keys(rest).length === 0 ? "" : fieldsJsonOf(rest),
  });
}

function parseObject(line: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}

function timeMs(value: JsonValue | undefined): number {
  if (typeof value === "number" && Number.isFinite(value)) return Math.floor(value);
  if (typeof value === "string") {
    const parsed = Date.parse(value);
    if (Number.isFinite(parsed)) return parsed;
  }
  return Date.now();
}

const levelNames: Readonly<Record<string, Level>> = {
  trace: Level.TRACE,
  debug: Level.DEBUG,
  info: Level.INFO,
  warn: Level.WARN,
  error: Level.ERROR,
  fatal: Level.FATAL,
};

/** pino's level number (10 … 60, custom levels in between) or label. */
export function levelOf(value: JsonValue | undefined): Level {
  if (typeof value === "string") return levelNames[value] ?? Level.INFO;
  if (typeof value !== "number") return Level.INFO;
  if (value < 20) return Level.TRACE;
  if (value < 30) return Level.DEBUG;
  if (value < 40) return Level.INFO;
  if (value < 50) return Level.WARN;
  if (value < 60) return Level.ERROR;
  return Level.FATAL;
}

function messageOf(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function stringOr(value: JsonValue | undefined, fallback: string): string {
  return typeof value === "string" && value !== "" ? value : fallback;
}

/** `text` cut to at most `maxBytes` of UTF-8, marked when cut. */
export function fitBytes(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, "utf8") <= maxBytes)
    return text;
  const marker = " …[truncated]";
  const budget = maxBytes - Buffer.byteLength(marker, "utf8");
  // Decoding a cut UTF-8 buffer may end in U+FFFD (3 bytes) where a
  // character was split; trim until the re-encoded text fits.
  let cut = Buffer.from(text, "utf8").subarray(0, budget).toString("utf8");
  while (Buffer.byteLength(cut, "utf8") > budget) cut = cut.slice(0, -1);
  return cut + marker;
}

/**
 * The fields as JSON text (sent as `fields_json`: a Struct costs several
 * times more to encode). Fields past the logger's limit keep as many
 * top-level keys as fit, in order, and name the ones left out.
 */
function fieldsJsonOf(fields: JsonObject): string {
  const json = JSON.stringify(fields);
  if (
    json.length * 3 <= maxFieldsBytes ||
    Buffer.byteLength(json, "utf8") <= maxFieldsBytes
  ) {
    return json;
  }
  const kept: JsonObject = {};
  const dropped: string[] = [];
  let used = 2;
  for (const [key, value] of Object.entries(fields)) {
    const size = Buffer.byteLength(JSON.stringify({ [key]: value }), "utf8");
    if (used + size <= maxFieldsBytes - fieldsNoteBytes) {
      kept[key] = value;
      used += size;
    } else {
      dropped.push(fitBytes(key, 64));
    }
  }
  kept.fieldsTruncated = fitBytes(`left out: ${dropped.join(", ")}`, fieldsNoteBytes / 2);
  return JSON.stringify(kept);
}
