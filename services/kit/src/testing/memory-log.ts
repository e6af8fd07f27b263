import type { DestinationStream } from "pino";

/** A pino destination that keeps records in memory, for asserting on logs. */
export interface MemoryLog extends DestinationStream {
  /** Every record written so far, parsed. */
  readonly records: Record<string, unknown>[];
}

/** Creates a {@link MemoryLog}. */
export function createMemoryLog(): MemoryLog {
  const records: Record<string, unknown>[] = [];
  return {
    records,
    write(line: string) {
      records.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
}
