// The shapes the store reads and writes. Levels are the numbers of the
// proto enum microtodo.logger.v1.Level (1 trace … 6 fatal).

/** A validated record, ready to store. */
export interface NewLogRecord {
  readonly timeMs: number;
  readonly level: number;
  readonly serviceType: string;
  readonly instance: string;
  readonly message: string;
  /** Empty when the record belongs to no request. */
  readonly requestId: string;
  /** JSON text of an object; undefined when the record has no fields. */
  readonly fieldsJson: string | undefined;
}

/** A stored record with its arrival sequence number. */
export interface StoredLogRecord extends NewLogRecord {
  /** Increases with every stored record, never reused: the arrival order. */
  readonly seq: number;
}

/** Selects records; an absent member matches everything. */
export interface RecordFilter {
  readonly serviceType?: string;
  readonly instance?: string;
  /** Lowest level kept (1 trace … 6 fatal). */
  readonly minLevel?: number;
  /** Case-insensitive substring of the message. */
  readonly text?: string;
  /** Inclusive lower bound on the record's own time. */
  readonly sinceMs?: number;
  /** Exclusive upper bound on the record's own time. */
  readonly untilMs?: number;
}

/** A place in the (time, seq) order that Query pages through. */
export interface RecordPosition {
  readonly timeMs: number;
  readonly seq: number;
}

/** Counts per level, index 0 for trace through 5 for fatal. */
export type LevelCounts = [number, number, number, number, number, number];

/** One service instance that has records in the store. */
export interface SourceSummary {
  readonly serviceType: string;
  readonly instance: string;
  /** Time of its oldest stored record. */
  readonly firstSeenMs: number;
  /** Time of its newest stored record. */
  readonly lastSeenMs: number;
  readonly counts: LevelCounts;
}

/** Records of one time bucket, counted per level. */
export interface StatsBucket {
  readonly startMs: number;
  readonly counts: LevelCounts;
}

/** The lowest and highest level numbers. */
export const traceLevel = 1;
export const fatalLevel = 6;

export function emptyLevelCounts(): LevelCounts {
  return [0, 0, 0, 0, 0, 0];
}
