import { create, type JsonObject } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type LevelCount,
  LevelCountSchema,
  type LogRecord,
  LogRecordSchema,
} from "@microtodo/api/logger";
import { encodeCursor } from "../store/cursor.js";
import type { LevelCounts, StoredLogRecord } from "../store/log-record.js";

/** The proto message for a stored record, with its cursor. */
export function recordMessage(record: StoredLogRecord, storeId: string): LogRecord {
  return create(LogRecordSchema, {
    time: timestampFromMs(record.timeMs),
    level: record.level,
    serviceType: record.serviceType,
    instance: record.instance,
    message: record.message,
    requestId: record.requestId,
    fields:
      record.fieldsJson === undefined
        ? undefined
        : (JSON.parse(record.fieldsJson) as JsonObject),
    cursor: encodeCursor({ storeId, timeMs: record.timeMs, seq: record.seq }),
  });
}

/** Non-zero counts as LevelCount messages, lowest level first. */
export function levelCountMessages(counts: LevelCounts): LevelCount[] {
  const out: LevelCount[] = [];
  counts.forEach((count, index) => {
    if (count > 0)
      out.push(create(LevelCountSchema, { level: index + 1, count: BigInt(count) }));
  });
  return out;
}
