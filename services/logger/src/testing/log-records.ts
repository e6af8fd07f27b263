import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Level, type LogRecord, LogRecordSchema } from "@microtodo/api/logger";

/** What logRecord takes: LogRecord fields, with the time in ms. */
export type LogRecordInit = Omit<
  Exclude<MessageInitShape<typeof LogRecordSchema>, LogRecord>,
  "time"
> & { timeMs?: number };

/** A valid record to push, with `init` overriding the defaults. */
export function logRecord(init: LogRecordInit = {}): LogRecord {
  const { timeMs, ...rest } = init;
  return create(LogRecordSchema, {
    time: timestampFromMs(timeMs ?? Date.now()),
    level: Level.INFO,
    serviceType: "todo",
    instance: "todo-1",
    message: "request completed",
    ...rest,
  });
}

/** A fresh temporary directory and a function removing it. */
export function temporaryDirectory(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
