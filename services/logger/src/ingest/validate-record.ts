import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Level, type LogRecord } from "@microtodo/api/logger";
import {
  maxFieldsBytes,
  maxFutureSkewMs,
  maxInstanceBytes,
  maxMessageBytes,
  maxRequestIdBytes,
  maxServiceTypeBytes,
  minRecordTimeMs,
} from "../limits.js";
import type { NewLogRecord } from "../store/log-record.js";

/** A record that passed validation, or why it did not. */
export type ValidatedRecord =
  | { readonly ok: true; readonly record: NewLogRecord }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks one pushed record against the contract's limits. `nowMs` is the
 * logger's clock, which bounds how far in the future a record may be.
 * Reasons name the field and the limit, e.g. "message: 9000 bytes; at
 * most 8192".
 */
export function validateRecord(record: LogRecord, nowMs: number): ValidatedRecord {
  const reason =
    nameProblem("service_type", record.serviceType, maxServiceTypeBytes) ??
    nameProblem("instance", record.instance, maxInstanceBytes) ??
    levelProblem(record.level) ??
    timeProblem(record, nowMs) ??
    sizeProblem("message", record.message, maxMessageBytes) ??
    sizeProblem("request_id", record.requestId, maxRequestIdBytes);
  if (reason) return { ok: false, reason };
  const fields = fieldsJson(record);
  if (!fields.ok) return fields;
  return {
    ok: true,
    record: {
      timeMs: record.time ? timestampMs(record.time) : 0,
      level: record.level,
      serviceType: record.serviceType,
      instance: record.instance,
      message: record.message,
      requestId: record.requestId,
      fieldsJson: fields.json,
    },
  };
}

// Control characters would make names ambiguous in listings and file
// names.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const controlCharacters = /[\u0000-\u001f\u007f]/;

function nameProblem(field: string, value: string, maxBytes: number): string | undefined {
  if (value === "") return `${field}: missing`;
  if (controlCharacters.test(value)) return `${field}: contains control characters`;
  return sizeProblem(field, value, maxBytes);
}

function sizeProblem(field: string, value: string, maxBytes: number): string | undefined {
  // Most values are far below the limit; counting bytes is the slow path.
  if (value.length * 3 <= maxBytes) return undefined;
  const bytes = Buffer.byteLength(value, "utf8");
  return bytes > maxBytes ? `${field}: ${bytes} bytes; at most ${maxBytes}` : undefined;
}

function levelProblem(level: Level): string | undefined {
  if (level === Level.UNSPECIFIED) return "level: unspecified";
  if (level < Level.TRACE || level > Level.FATAL)
    return `level: ${level} is not a known level`;
  return undefined;
}

function timeProblem(record: LogRecord, nowMs: number): string | undefined {
  if (!record.time) return "time: missing";
  const ms = timestampMs(record.time);
  if (!Number.isFinite(ms) || ms < minRecordTimeMs) {
    return "time: before 2000-01-01 (seconds sent as milliseconds?)";
  }
  if (ms > nowMs + maxFutureSkewMs) {
    const aheadMs = ms - nowMs;
    return `time: ${aheadMs} ms ahead of the logger's clock; at most ${maxFutureSkewMs}`;
  }
  return undefined;
}

type FieldsResult =
  | { ok: true; json: string | undefined }
  | { ok: false; reason: string };

// `fields_json` is taken as given once it parses to an object; `fields`
// (a Struct, already an object) is turned into JSON text here.
function fieldsJson(record: LogRecord): FieldsResult {
  const hasStruct = record.fields !== undefined && Object.keys(record.fields).length > 0;
  if (record.fieldsJson !== "") {
    if (hasStruct)
      return { ok: false, reason: "fields_json: set together with fields; set one" };
    return checkedFieldsJson(record.fieldsJson);
  }
  if (!hasStruct) return { ok: true, json: undefined };
  const json = JSON.stringify(record.fields);
  const problem = fieldsSizeProblem("fields", json);
  return problem ? { ok: false, reason: problem } : { ok: true, json };
}

function checkedFieldsJson(json: string): FieldsResult {
  const problem = fieldsSizeProblem("fields_json", json);
  if (problem) return { ok: false, reason: problem };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, reason: "fields_json: not valid JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: "fields_json: not a JSON object" };
  }
  return { ok: true, json: json === "{}" ? undefined : json };
}

function fieldsSizeProblem(field: string, json: string): string | undefined {
  if (json.length * 3 <= maxFieldsBytes) return undefined;
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes <= maxFieldsBytes) return undefined;
  return `${field}: ${bytes} bytes as JSON; at most ${maxFieldsBytes}`;
}
