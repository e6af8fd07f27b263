import type { RecordPosition } from "./log-record.js";

/**
 * A record's cursor: the store that issued it plus the record's (time,
 * seq). Query pages by (time, seq); Tail resumes by seq alone. The store
 * id makes a cursor from another logger instance (another file, another
 * seq space) fail loudly instead of silently skipping records.
 */
export interface Cursor extends RecordPosition {
  readonly storeId: string;
}

export function encodeCursor(cursor: Cursor): string {
  const text = `${cursor.storeId}.${cursor.timeMs}.${cursor.seq}`;
  return Buffer.from(text, "utf8").toString("base64url");
}

/** The cursor in `text`, or undefined when it is not one of ours. */
export function decodeCursor(text: string): Cursor | undefined {
  if (text.length > 200) return undefined;
  const parts = Buffer.from(text, "base64url").toString("utf8").split(".");
  if (parts.length !== 3) return undefined;
  const [storeId = "", time = "", seq = ""] = parts;
  if (!/^[0-9a-f]{1,32}$/.test(storeId)) return undefined;
  if (!/^\d{1,16}$/.test(time) || !/^\d{1,16}$/.test(seq)) return undefined;
  return { storeId, timeMs: Number(time), seq: Number(seq) };
}
