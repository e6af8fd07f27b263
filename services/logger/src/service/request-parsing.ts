import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { type Filter, Level } from "@microtodo/api/logger";
import { maxFilterTextBytes } from "../limits.js";
import { type Cursor, decodeCursor } from "../store/cursor.js";
import type { RecordFilter } from "../store/log-record.js";

// Turns request messages into store inputs. Every problem becomes one
// ConnectError naming the field, here and nowhere else.

/** The store filter for a proto Filter; throws INVALID_ARGUMENT on nonsense. */
export function parseFilter(filter: Filter | undefined): RecordFilter {
  if (!filter) return {};
  const out: {
    serviceType?: string;
    instance?: string;
    minLevel?: number;
    text?: string;
    sinceMs?: number;
    untilMs?: number;
  } = {};
  if (filter.serviceType !== "") out.serviceType = filter.serviceType;
  if (filter.instance !== "") out.instance = filter.instance;
  if (filter.minLevel !== Level.UNSPECIFIED)
    out.minLevel = parseMinLevel(filter.minLevel);
  if (filter.text !== "") out.text = parseText(filter.text);
  if (filter.since) out.sinceMs = timestampMs(filter.since);
  if (filter.until) out.untilMs = timestampMs(filter.until);
  if (
    out.sinceMs !== undefined &&
    out.untilMs !== undefined &&
    out.sinceMs > out.untilMs
  ) {
    throw invalid("filter.since: after filter.until");
  }
  return out;
}

function parseMinLevel(level: Level): number {
  if (level < Level.TRACE || level > Level.FATAL) {
    throw invalid(`filter.min_level: ${level} is not a known level`);
  }
  return level;
}

function parseText(text: string): string {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxFilterTextBytes) {
    throw invalid(`filter.text: ${bytes} bytes; at most ${maxFilterTextBytes}`);
  }
  return text;
}

/** A cursor from this store, or an error naming `field`. */
export function parseCursor(text: string, field: string, storeId: string): Cursor {
  const cursor = decodeCursor(text);
  if (!cursor) throw invalid(`${field}: not a cursor issued by a logger`);
  if (cursor.storeId !== storeId) {
    throw new ConnectError(
      `${field}: issued by another logger instance (store ${cursor.storeId}, this is ${storeId}); start again without a cursor`,
      Code.FailedPrecondition,
    );
  }
  return cursor;
}

export function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}
