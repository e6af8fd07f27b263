import { join } from "node:path";
import type Database from "better-sqlite3";
import { CountDeltas } from "./count-deltas.js";
import {
  emptyLevelCounts,
  type LevelCounts,
  type NewLogRecord,
  type RecordFilter,
  type RecordPosition,
  type SourceSummary,
  type StatsBucket,
  type StoredLogRecord,
} from "./log-record.js";
import { openDatabase, type SyncMode } from "./open-database.js";
import { type PageSpec, pageSql, planPage, windowEndSql } from "./page-sql.js";
import { arrivalSql, recordStatsSql, rollupMs, rollupStatsSql } from "./scan-sql.js";
import { SourceCatalog } from "./source-catalog.js";
import { containsFunctionName, type Sql, type StoredRow } from "./sql-parts.js";

/** Options of openLogStore. */
export interface LogStoreOptions {
  /** The SQLite file; created with its directory when missing. */
  readonly path: string;
  /** Commit durability (default "full"); see SyncMode. */
  readonly sync?: SyncMode;
  /** Most index entries one page read examines. Default 100,000. */
  readonly maxScanRows?: number;
}

/** Where a logger instance keeps its records: `<dataDir>/logger-<instance>.sqlite`. */
export function logStorePath(dataDir: string, instance: string): string {
  return join(dataDir, `logger-${instance.replace(/[^A-Za-z0-9._-]/g, "_")}.sqlite`);
}

/** Opens the store at `options.path`, creating it when missing. */
export function openLogStore(options: LogStoreOptions): LogStore {
  const { db, storeId } = openDatabase(options.path, options.sync ?? "full");
  return new LogStore(db, storeId, options.path, options.maxScanRows ?? 100_000);
}

/** One page of records in (time, seq) order. */
export interface RecordPage {
  readonly records: StoredLogRecord[];
  /**
   * Set when the scan budget ran out before the page filled: everything
   * up to this position was examined, so the next page starts after it.
   */
  readonly resumeAfter?: RecordPosition;
}

/** What one arrival read returns. */
export interface ArrivalPage {
  readonly records: StoredLogRecord[];
  /** Every record up to this seq has been looked at. */
  readonly scannedThroughSeq: number;
}

// Index entries per scan window: a filtered page reads its index ranges
// window by window until the page is full or maxScanRows are examined,
// so one Query never holds the (single) event loop for long.
const windowRows = 10_000;

/**
 * The log records of one logger instance in one SQLite file. Every method
 * is synchronous (better-sqlite3) and the store has a single connection,
 * so a write is either wholly visible to the next read or not at all.
 */
export class LogStore {
  readonly storeId: string;
  readonly path: string;
  readonly #db: Database.Database;
  readonly #catalog: SourceCatalog;
  readonly #maxScanRows: number;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #commitListeners = new Set<(lastSeq: number) => void>();
  // Built once: Push runs these for every batch.
  readonly #insertBatch: (records: readonly NewLogRecord[]) => {
    firstSeq: number;
    lastSeq: number;
  };
  readonly #insertRow: Database.Statement;
  #lastSeq: number;

  constructor(db: Database.Database, storeId: string, path: string, maxScanRows: number) {
    this.#db = db;
    this.storeId = storeId;
    this.path = path;
    this.#maxScanRows = maxScanRows;
    this.#catalog = new SourceCatalog(db);
    this.#lastSeq = this.#readLastSeq();
    this.#insertRow = db.prepare(
      `INSERT INTO logs (time, level, source_id, message, request_id, fields)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#insertBatch = db.transaction((records: readonly NewLogRecord[]) =>
      this.#insertRows(records),
    );
    db.function(containsFunctionName, { deterministic: true }, (message, needle) =>
      String(message).toLowerCase().includes(String(needle)) ? 1 : 0,
    );
  }

  /** The seq of the newest stored record, or of the last one ever stored. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * Stores a batch in one transaction; durable per the store's SyncMode
   * when this returns. Returns the seqs given to the first and last record.
   */
  insert(records: readonly NewLogRecord[]): { firstSeq: number; lastSeq: number } {
    if (records.length === 0) return { firstSeq: 0, lastSeq: this.#lastSeq };
    let seqs: { firstSeq: number; lastSeq: number };
    try {
      seqs = this.#insertBatch(records);
    } catch (err) {
      this.#catalog.reload();
      throw err;
    }
    this.#lastSeq = seqs.lastSeq;
    for (const listener of this.#commitListeners) listener(seqs.lastSeq);
    return seqs;
  }

  #insertRows(records: readonly NewLogRecord[]): { firstSeq: number; lastSeq: number } {
    const insert = this.#insertRow;
    const deltas = new CountDeltas();
    let firstSeq = 0;
    let lastSeq = 0;
    for (const r of records) {
      const sourceId = this.#catalog.idFor(r.serviceType, r.instance, r.timeMs);
      const requestId = r.requestId === "" ? null : r.requestId;
      const info = insert.run(
        r.timeMs,
        r.level,
        sourceId,
        r.message,
        requestId,
        r.fieldsJson ?? null,
      );
      lastSeq = Number(info.lastInsertRowid);
      if (firstSeq === 0) firstSeq = lastSeq;
      deltas.add(sourceId, r.timeMs, r.level);
    }
    this.#addCounts(deltas);
    return { firstSeq, lastSeq };
  }

  #addCounts(deltas: CountDeltas): void {
    const source = this.#statement(
      `UPDATE sources SET first_seen = min(first_seen, ?), last_seen = max(last_seen, ?),
         count_1 = count_1 + ?, count_2 = count_2 + ?, count_3 = count_3 + ?,
         count_4 = count_4 + ?, count_5 = count_5 + ?, count_6 = count_6 + ?
       WHERE id = ?`,
    );
    for (const [id, d] of deltas.sources)
      source.run(d.minTimeMs, d.maxTimeMs, ...d.counts, id);
    const minute = this.#statement(
      `INSERT INTO minute_counts (minute, source_id, level, count) VALUES (?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET count = count + excluded.count`,
    );
    for (const m of deltas.minutes()) minute.run(m.minute, m.sourceId, m.level, m.count);
  }

  /** Calls `listener` after every committed insert, with the new lastSeq. */
  onCommit(listener: (lastSeq: number) => void): () => void {
    this.#commitListeners.add(listener);
    return () => this.#commitListeners.delete(listener);
  }

  /** Resolves once a record past `afterSeq` is stored, or `signal` aborts. */
  waitForArrival(afterSeq: number, signal: AbortSignal): Promise<void> {
    if (this.#lastSeq > afterSeq || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        stop();
        signal.removeEventListener("abort", done);
        resolve();
      };
      const stop = this.onCommit((lastSeq) => {
        if (lastSeq > afterSeq) done();
      });
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /**
   * One page in (time, seq) order. A filter that the indexes cannot
   * answer alone (text, or level within a source) is checked window by
   * window, at most maxScanRows index entries per call; see RecordPage.
   */
  queryPage(spec: PageSpec): RecordPage {
    const plan = planPage(spec.filter, this.#catalog.idsMatching(spec.filter));
    if (!plan.filtersRows) return { records: this.#readRecords(pageSql(plan, spec)) };
    const records: StoredLogRecord[] = [];
    let after = spec.after;
    for (let scanned = 0; scanned < this.#maxScanRows; scanned += windowRows) {
      const window = { ...spec, after, limit: spec.limit - records.length };
      const end = this.#windowEnd(windowEndSql(plan, window, windowRows));
      records.push(...this.#readRecords(pageSql(plan, window, end)));
      if (records.length >= spec.limit || !end) return { records };
      after = end;
    }
    return after ? { records, resumeAfter: after } : { records };
  }

  #windowEnd(sql: Sql): RecordPosition | undefined {
    const row = this.#statement(sql.text).get(...sql.params) as
      | { time: number; seq: number }
      | undefined;
    return row && { timeMs: row.time, seq: row.seq };
  }

  /**
   * Matching records with afterSeq < seq <= throughSeq in seq order, at
   * most `limit`, examining at most maxScanRows seqs per call.
   */
  readArrivals(
    filter: RecordFilter,
    afterSeq: number,
    throughSeq: number,
    limit: number,
  ): ArrivalPage {
    const ids = this.#catalog.idsMatching(filter);
    const windowEnd = Math.min(throughSeq, afterSeq + this.#maxScanRows);
    const records = this.#readRecords(
      arrivalSql(filter, ids, afterSeq, windowEnd, limit),
    );
    const last = records.at(-1);
    const full = records.length === limit && last !== undefined;
    return { records, scannedThroughSeq: full ? last.seq : windowEnd };
  }

  /** Every source with stored records, by service type then instance. */
  listSources(): SourceSummary[] {
    const rows = this.#statement(
      "SELECT * FROM sources ORDER BY service_type, instance",
    ).all() as SourceTableRow[];
    return rows.map((row) => ({
      serviceType: row.service_type,
      instance: row.instance,
      firstSeenMs: row.first_seen,
      lastSeenMs: row.last_seen,
      counts: [
        row.count_1,
        row.count_2,
        row.count_3,
        row.count_4,
        row.count_5,
        row.count_6,
      ],
    }));
  }

  /**
   * Counts per level per bucket over [sinceMs, untilMs), oldest bucket
   * first, empty buckets left out. Buckets of whole minutes without a
   * text filter come from the per-minute rollup, with the range rounded
   * out to whole minutes; anything else counts the records.
   */
  stats(
    filter: RecordFilter & { sinceMs: number; untilMs: number },
    bucketMs: number,
  ): StatsBucket[] {
    const ids = this.#catalog.idsMatching(filter);
    const fromRollup = bucketMs % rollupMs === 0 && (filter.text ?? "") === "";
    const sql = fromRollup
      ? rollupStatsSql(filter, ids, bucketMs, filter.sinceMs, filter.untilMs)
      : recordStatsSql(filter, ids, bucketMs);
    const rows = this.#statement(sql.text).all(...sql.params) as {
      bucket: number;
      level: number;
      n: number;
    }[];
    const buckets: StatsBucket[] = [];
    for (const row of rows) {
      let last = buckets.at(-1);
      if (last?.startMs !== row.bucket) {
        last = { startMs: row.bucket, counts: emptyLevelCounts() };
        buckets.push(last);
      }
      last.counts[row.level - 1] = row.n;
    }
    return buckets;
  }

  /** Bytes of the file holding data (pages in use, free pages excluded). */
  usedBytes(): number {
    const pages = this.#pragmaNumber("page_count") - this.#pragmaNumber("freelist_count");
    return pages * this.#pragmaNumber("page_size");
  }

  /** Bytes of free pages inside the file, reusable or reclaimable. */
  freeBytes(): number {
    return this.#pragmaNumber("freelist_count") * this.#pragmaNumber("page_size");
  }

  /**
   * Deletes up to `maxRows` of the oldest records (by their own time),
   * only those older than `beforeMs` when given, in one transaction, and
   * keeps sources and rollup in step. Returns how many were deleted.
   */
  deleteOldest(maxRows: number, beforeMs?: number): number {
    const forgotten: number[] = [];
    const deleted = this.#db.transaction(() =>
      this.#deleteOldestRows(maxRows, beforeMs, forgotten),
    )();
    for (const id of forgotten) this.#catalog.forget(id);
    return deleted;
  }

  #deleteOldestRows(
    maxRows: number,
    beforeMs: number | undefined,
    forgotten: number[],
  ): number {
    const where = beforeMs === undefined ? "" : "WHERE time < ?";
    const select = this.#statement(
      `SELECT seq, source_id, level, time FROM logs INDEXED BY logs_time ${where}
       ORDER BY time, seq LIMIT ?`,
    );
    const params = beforeMs === undefined ? [maxRows] : [beforeMs, maxRows];
    const rows = select.all(...params) as DeletedRow[];
    if (rows.length === 0) return 0;
    this.#statement("DELETE FROM logs WHERE seq IN (SELECT value FROM json_each(?))").run(
      JSON.stringify(rows.map((r) => r.seq)),
    );
    const deltas = new CountDeltas();
    for (const r of rows) deltas.add(r.source_id, r.time, r.level);
    this.#subtractMinutes(deltas);
    for (const [id, delta] of deltas.sources) {
      if (this.#shrinkSource(id, delta.counts)) forgotten.push(id);
    }
    return rows.length;
  }

  #subtractMinutes(deltas: CountDeltas): void {
    const update = this.#statement(
      `UPDATE minute_counts SET count = count - ?
       WHERE minute = ? AND source_id = ? AND level = ? RETURNING count`,
    );
    const remove = this.#statement(
      "DELETE FROM minute_counts WHERE minute = ? AND source_id = ? AND level = ?",
    );
    for (const m of deltas.minutes()) {
      const row = update.get(m.count, m.minute, m.sourceId, m.level) as
        | { count: number }
        | undefined;
      if (row && row.count <= 0) remove.run(m.minute, m.sourceId, m.level);
    }
  }

  // Takes deleted records off a source's counts; removes the source when it
  // has none left. Returns true when it was removed.
  #shrinkSource(id: number, counts: LevelCounts): boolean {
    const row = this.#statement(
      `UPDATE sources SET count_1 = count_1 - ?, count_2 = count_2 - ?, count_3 = count_3 - ?,
         count_4 = count_4 - ?, count_5 = count_5 - ?, count_6 = count_6 - ?
       WHERE id = ? RETURNING count_1 + count_2 + count_3 + count_4 + count_5 + count_6 AS total`,
    ).get(...counts, id) as { total: number } | undefined;
    if (!row || row.total <= 0) {
      this.#statement("DELETE FROM sources WHERE id = ?").run(id);
      return true;
    }
    this.#statement(
      `UPDATE sources SET first_seen = (SELECT min(time) FROM logs WHERE source_id = ?)
       WHERE id = ?`,
    ).run(id, id);
    return false;
  }

  /** Returns up to `maxPages` free pages to the file system; how many it did. */
  reclaimFreePages(maxPages: number): number {
    const before = this.#pragmaNumber("freelist_count");
    this.#db.exec(`PRAGMA incremental_vacuum(${Math.max(1, Math.floor(maxPages))})`);
    return before - this.#pragmaNumber("freelist_count");
  }

  /** Closes the file; a clean close checkpoints and removes the WAL. */
  close(): void {
    this.#commitListeners.clear();
    if (this.#db.open) this.#db.close();
  }

  #readRecords(sql: Sql): StoredLogRecord[] {
    const rows = this.#statement(sql.text).all(...sql.params) as StoredRow[];
    return rows.map((row) => this.#toRecord(row));
  }

  #toRecord(row: StoredRow): StoredLogRecord {
    const source = this.#catalog.nameOf(row.source_id);
    return {
      seq: row.seq,
      timeMs: row.time,
      level: row.level,
      serviceType: source.serviceType,
      instance: source.instance,
      message: row.message,
      requestId: row.request_id ?? "",
      fieldsJson: row.fields ?? undefined,
    };
  }

  // Page and filter SQL varies with the filter's shape only, so a small
  // cache of prepared statements saves most parsing.
  #statement(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (!statement) {
      if (this.#statements.size >= 256) this.#statements.clear();
      statement = this.#db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  #readLastSeq(): number {
    const row = this.#db
      .prepare("SELECT seq FROM sqlite_sequence WHERE name = 'logs'")
      .get() as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  #pragmaNumber(name: string): number {
    return this.#db.pragma(name, { simple: true }) as number;
  }
}

interface DeletedRow {
  seq: number;
  source_id: number;
  level: number;
  time: number;
}

interface SourceTableRow {
  service_type: string;
  instance: string;
  first_seen: number;
  last_seen: number;
  count_1: number;
  count_2: number;
  count_3: number;
  count_4: number;
  count_5: number;
  count_6: number;
}
