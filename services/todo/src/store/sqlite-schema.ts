import type { Database } from "better-sqlite3";

const SCHEMA_VERSION = 1;

// Positions are unique per list (the placement checks guarantee it; the
// unique index turns a bug into an error instead of an ambiguous order).
// due_key and id close the due index so keyset pages seek, never scan.
const SCHEMA_V1 = `
CREATE TABLE lists (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  name TEXT NOT NULL,
  is_default INTEGER NOT NULL,
  task_count INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX lists_by_owner ON lists (owner_id, created_at_ms, id);
CREATE UNIQUE INDEX lists_one_default ON lists (owner_id) WHERE is_default = 1;

CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  list_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  owner_username TEXT NOT NULL,
  title TEXT NOT NULL,
  notes TEXT NOT NULL,
  completed INTEGER NOT NULL,
  completed_at_ms INTEGER,
  due_json TEXT,
  due_key TEXT NOT NULL,
  position TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  version INTEGER NOT NULL
);
CREATE UNIQUE INDEX tasks_by_position ON tasks (list_id, position);
CREATE INDEX tasks_by_due ON tasks (list_id, due_key, id);

CREATE TABLE task_shares (
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  username TEXT NOT NULL,
  permission TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (task_id, user_id)
) WITHOUT ROWID;
CREATE INDEX task_shares_by_user ON task_shares (user_id, task_id);
`;

/**
 * Sets the connection up for several processes sharing one file (WAL, a
 * busy timeout instead of instant SQLITE_BUSY) and creates the schema.
 */
export function prepareSqliteDatabase(db: Database, busyTimeoutMs: number): void {
  db.pragma("journal_mode = WAL");
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // NORMAL in WAL mode loses at most the last transactions on power loss,
  // never consistency; FULL would fsync on every task write.
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  const migrate = db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version >= SCHEMA_VERSION) return;
    db.exec(SCHEMA_V1);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
  // IMMEDIATE: two processes starting together must not both create tables.
  migrate.immediate();
}
