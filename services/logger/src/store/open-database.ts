import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

/**
 * How hard a commit waits for the disk. Both survive `kill -9` of the
 * process once Push returned, because WAL frames are in the OS page cache
 * by then; `full` also survives power loss (one fsync of the WAL per
 * batch), `normal` may lose the batches since the last checkpoint.
 */
export type SyncMode = "full" | "normal";

const schemaVersion = 1;

// auto_vacuum must be chosen before the first table exists; INCREMENTAL
// lets retention hand freed pages back to the file system in small steps
// instead of one long VACUUM that would stall ingest.
const schema = `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    service_type TEXT NOT NULL,
    instance TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    count_1 INTEGER NOT NULL DEFAULT 0,
    count_2 INTEGER NOT NULL DEFAULT 0,
    count_3 INTEGER NOT NULL DEFAULT 0,
    count_4 INTEGER NOT NULL DEFAULT 0,
    count_5 INTEGER NOT NULL DEFAULT 0,
    count_6 INTEGER NOT NULL DEFAULT 0,
    UNIQUE (service_type, instance)
  );

  -- AUTOINCREMENT: a seq is never handed out twice, even after retention
  -- deleted the newest rows, so a Tail cursor can never skip new records.
  CREATE TABLE logs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time INTEGER NOT NULL,
    level INTEGER NOT NULL,
    source_id INTEGER NOT NULL,
    message TEXT NOT NULL,
    request_id TEXT,
    fields TEXT
  );

  -- Records per source, minute and level: Stats over days reads this
  -- rollup instead of every record.
  CREATE TABLE minute_counts (
    minute INTEGER NOT NULL,
    source_id INTEGER NOT NULL,
    level INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (minute, source_id, level)
  ) WITHOUT ROWID;

  -- Every index ends with the rowid (seq), so (time, seq) order comes
  -- straight from the index for each of them.
  CREATE INDEX logs_source_time ON logs (source_id, time);
  CREATE INDEX logs_time ON logs (time);
  -- Warnings and worse only: they are the few records a level filter
  -- looks for, and most records (info, debug) skip this index's cost.
  -- A lower minimum level matches most records and reads logs_time.
  CREATE INDEX logs_level_time ON logs (level, time) WHERE level >= 4;
`;

/** Opens (creating if needed) a log database and returns it with its id. */
export function openDatabase(
  path: string,
  sync: SyncMode,
): { db: Database.Database; storeId: string } {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma("auto_vacuum = INCREMENTAL");
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${sync === "full" ? "FULL" : "NORMAL"}`);
    // After a checkpoint the WAL file is cut back to this size, so it does
    // not keep the high-water mark of a burst on disk.
    db.pragma("journal_size_limit = 67108864");
    db.pragma("cache_size = -32768");
    migrate(db);
    return { db, storeId: readStoreId(db) };
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version === schemaVersion) return;
  if (version !== 0) {
    throw new Error(`log database schema ${version} is newer than ${schemaVersion}`);
  }
  db.transaction(() => {
    db.exec(schema);
    db.prepare("INSERT INTO meta (key, value) VALUES ('store_id', ?)").run(
      randomBytes(6).toString("hex"),
    );
    db.pragma(`user_version = ${schemaVersion}`);
  })();
}

function readStoreId(db: Database.Database): string {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'store_id'").get() as
    | { value: string }
    | undefined;
  if (!row) throw new Error("log database has no store_id");
  return row.value;
}
