import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Database as SqliteDatabase, Statement, Transaction } from "better-sqlite3";
import Database from "better-sqlite3";
import { keyBetween } from "../domain/fractional-key.js";
import { checkGapBounds, gapUpperBound } from "./gap.js";
import {
  type ListRow,
  listFromRow,
  type ShareRow,
  shareFromRow,
  type TaskRow,
  type TaskValues,
  taskColumns,
  taskFromValues,
  taskIdOf,
  taskParams,
} from "./sqlite-rows.js";
import { prepareSqliteDatabase } from "./sqlite-schema.js";
import { buildTaskQuery } from "./sqlite-task-query.js";
import type {
  AppendResult,
  CountedList,
  PositionRef,
  PutCondition,
  PutResult,
  StoredList,
  StoredShare,
  StoredTask,
  TaskQuery,
  TodoStore,
  UnplacedTask,
} from "./todo-store.js";

const TASK_BY_ID_SQL = `SELECT ${taskColumns()} FROM tasks WHERE id = ?`;
// The list's owner and count and its last position, in one read.
const APPEND_TARGET_SQL =
  "SELECT owner_id, task_count, (SELECT position FROM tasks WHERE list_id = @list " +
  "ORDER BY position DESC LIMIT 1) AS last FROM lists WHERE id = @list";

/** Options of the SQLite store. */
export interface SqliteTodoStoreOptions {
  /** Database file; ":memory:" for a private in-memory one. Parent folders are created. */
  readonly path: string;
  /** How long a write waits for another process's transaction; default 5000. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens the SQLite store. Every todo process on a machine opens the same
 * file: WAL lets readers run beside the one writer, and each write that
 * checks something first runs in a BEGIN IMMEDIATE transaction so the check
 * and the write see the same state across processes.
 */
export function openSqliteTodoStore(options: SqliteTodoStoreOptions): TodoStore {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  prepareSqliteDatabase(db, options.busyTimeoutMs ?? 5000);
  return new SqliteTodoStore(db);
}

class SqliteTodoStore implements TodoStore {
  readonly #db: SqliteDatabase;
  readonly #statements = new Map<string, Statement>();
  /** Statements in raw mode (rows as arrays); the mode sticks to a statement. */
  readonly #rawStatements = new Map<string, Statement>();
  readonly #transaction: Transaction<(body: () => unknown) => unknown>;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#transaction = db.transaction((body: () => unknown) => body());
  }

  /** Runs `body` in a BEGIN IMMEDIATE transaction: the write lock first, then the reads. */
  #immediate<T>(body: () => T): T {
    return this.#transaction.immediate(body) as T;
  }

  async ensureDefaultList(candidate: StoredList): Promise<StoredList> {
    const sql = "SELECT * FROM lists WHERE owner_id = ? AND is_default = 1";
    const found = this.#get<ListRow>(sql, candidate.ownerId);
    if (found) return listFromRow(found);
    // Not there yet: look again under the write lock before inserting.
    return this.#immediate(() => {
      const existing = this.#get<ListRow>(sql, candidate.ownerId);
      if (existing) return listFromRow(existing);
      this.#insertListRow({ ...candidate, isDefault: true });
      return candidate;
    });
  }

  async insertList(list: StoredList, maxListsPerUser: number): Promise<"ok" | "limit"> {
    return this.#immediate((): "ok" | "limit" => {
      const count = this.#get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM lists WHERE owner_id = ?",
        list.ownerId,
      );
      if ((count?.n ?? 0) >= maxListsPerUser) return "limit";
      this.#insertListRow(list);
      return "ok";
    });
  }

  async getList(listId: string): Promise<CountedList | undefined> {
    const row = this.#get<ListRow>("SELECT * FROM lists WHERE id = ?", listId);
    return row && listFromRow(row);
  }

  async listLists(ownerId: string): Promise<CountedList[]> {
    const rows = this.#all<ListRow>(
      "SELECT * FROM lists WHERE owner_id = ? ORDER BY created_at_ms, id",
      ownerId,
    );
    return rows.map(listFromRow);
  }

  async renameList(
    listId: string,
    name: string,
    updatedAtMs: number,
  ): Promise<CountedList | undefined> {
    this.#run(
      "UPDATE lists SET name = ?, updated_at_ms = ? WHERE id = ?",
      name,
      updatedAtMs,
      listId,
    );
    return this.getList(listId);
  }

  async deleteList(
    listId: string,
    options: { keepList: boolean },
  ): Promise<number | undefined> {
    return this.#immediate((): number | undefined => {
      const list = this.#get<ListRow>("SELECT * FROM lists WHERE id = ?", listId);
      if (!list) return undefined;
      const deleted = this.#run("DELETE FROM tasks WHERE list_id = ?", listId).changes;
      if (options.keepList)
        this.#run("UPDATE lists SET task_count = 0 WHERE id = ?", listId);
      else this.#run("DELETE FROM lists WHERE id = ?", listId);
      return deleted;
    });
  }

  async getTask(taskId: string): Promise<StoredTask | undefined> {
    const values = this.#getValues(TASK_BY_ID_SQL, taskId);
    return values && this.#withShares([values])[0];
  }

  async putTask(task: StoredTask, condition: PutCondition): Promise<PutResult> {
    return this.#immediate((): PutResult => {
      const current = this.#get<Pick<TaskRow, "version" | "list_id" | "position">>(
        "SELECT version, list_id, position FROM tasks WHERE id = ?",
        task.id,
      );
      const expected = condition.expectedVersion;
      if (expected === 0 ? current !== undefined : current?.version !== expected) {
        return { ok: false, reason: "stale" };
      }
      const moved =
        current?.list_id !== task.listId || current?.position !== task.position;
      if (moved) {
        const refusal = this.#checkPlacement(task, current?.list_id, condition);
        if (refusal) return { ok: false, reason: refusal };
      }
      this.#writeTaskRow(task, current !== undefined);
      if (current?.list_id !== task.listId)
        this.#moveCount(current?.list_id, task.listId);
      return { ok: true };
    });
  }

  async appendTask(task: UnplacedTask, maxTasksPerList: number): Promise<AppendResult> {
    // Under the write lock nobody else can append, so the last position read
    // here is still the last one when the insert runs: no gap to re-check.
    return this.#immediate((): AppendResult => {
      const target = this.#get<AppendTarget>(APPEND_TARGET_SQL, { list: task.listId });
      if (!target || target.owner_id !== task.ownerId) {
        return { ok: false, reason: "list_missing" };
      }
      if (target.task_count >= maxTasksPerList) return { ok: false, reason: "list_full" };
      const position = keyBetween(target.last, null);
      this.#writeTaskRow({ ...task, position }, false);
      this.#moveCount(undefined, task.listId);
      return { ok: true, position };
    });
  }

  async deleteTask(
    taskId: string,
    expectedVersion: number,
  ): Promise<"ok" | "stale" | "missing"> {
    return this.#immediate((): "ok" | "stale" | "missing" => {
      const current = this.#get<Pick<TaskRow, "version" | "list_id">>(
        "SELECT version, list_id FROM tasks WHERE id = ?",
        taskId,
      );
      if (!current) return "missing";
      if (expectedVersion !== 0 && current.version !== expectedVersion) return "stale";
      this.#run("DELETE FROM tasks WHERE id = ?", taskId);
      this.#moveCount(current.list_id, undefined);
      return "ok";
    });
  }

  async nextInList(
    listId: string,
    position: string | null,
    excludeTaskId = "",
  ): Promise<PositionRef | null> {
    const row = this.#get<PositionRow>(
      "SELECT id, position FROM tasks WHERE list_id = ? AND position > ? AND id <> ? " +
        "ORDER BY position LIMIT 1",
      listId,
      position ?? "",
      excludeTaskId,
    );
    return row ? { taskId: row.id, position: row.position } : null;
  }

  async previousInList(
    listId: string,
    position: string | null,
    excludeTaskId = "",
  ): Promise<PositionRef | null> {
    const row = this.#get<PositionRow>(
      "SELECT id, position FROM tasks WHERE list_id = ? AND position < ? AND id <> ? " +
        "ORDER BY position DESC LIMIT 1",
      listId,
      position ?? gapUpperBound,
      excludeTaskId,
    );
    return row ? { taskId: row.id, position: row.position } : null;
  }

  async atIndex(
    listId: string,
    index: number,
    exclude?: PositionRef,
  ): Promise<PositionRef | null> {
    if (index < 0) return null;
    const row = this.#get<PositionRow>(
      "SELECT id, position FROM tasks WHERE list_id = ? AND id <> ? " +
        "ORDER BY position LIMIT 1 OFFSET ?",
      listId,
      exclude?.taskId ?? "",
      index,
    );
    return row ? { taskId: row.id, position: row.position } : null;
  }

  async countBefore(listId: string, position: string): Promise<number> {
    const row = this.#get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM tasks WHERE list_id = ? AND position < ?",
      listId,
      position,
    );
    return row?.n ?? 0;
  }

  async listTasks(query: TaskQuery): Promise<StoredTask[]> {
    const { sql, params } = buildTaskQuery(query);
    return this.#withShares(this.#allValues(sql, params));
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  #checkPlacement(
    task: StoredTask,
    currentListId: string | undefined,
    condition: PutCondition,
  ): "gap_changed" | "list_full" | "list_missing" | undefined {
    const gap = condition.gap;
    checkGapBounds(task, gap);
    const list = this.#get<Pick<ListRow, "task_count">>(
      "SELECT task_count FROM lists WHERE id = ?",
      task.listId,
    );
    if (!list) return "list_missing";
    const entering = currentListId !== task.listId;
    if (entering && list.task_count >= condition.maxTasksPerList) return "list_full";
    for (const bound of [gap.lo, gap.hi]) {
      if (
        bound &&
        !this.#get(
          "SELECT 1 FROM tasks WHERE id = ? AND list_id = ? AND position = ?",
          bound.taskId,
          task.listId,
          bound.position,
        )
      ) {
        return "gap_changed";
      }
    }
    const intruder = this.#get(
      "SELECT 1 FROM tasks WHERE list_id = ? AND position > ? AND position < ? AND id <> ? LIMIT 1",
      task.listId,
      gap.lo?.position ?? "",
      gap.hi?.position ?? gapUpperBound,
      task.id,
    );
    return intruder ? "gap_changed" : undefined;
  }

  #writeTaskRow(task: StoredTask, exists: boolean): void {
    const params = taskParams(task);
    if (exists) {
      this.#run(
        "UPDATE tasks SET list_id = @list_id, title = @title, notes = @notes, " +
          "completed = @completed, completed_at_ms = @completed_at_ms, due_json = @due_json, " +
          "due_key = @due_key, position = @position, updated_at_ms = @updated_at_ms, " +
          "version = @version WHERE id = @id",
        params,
      );
      this.#run("DELETE FROM task_shares WHERE task_id = ?", task.id);
    } else {
      this.#run(
        "INSERT INTO tasks VALUES (@id, @list_id, @owner_id, @owner_username, @title, @notes, " +
          "@completed, @completed_at_ms, @due_json, @due_key, @position, @created_at_ms, " +
          "@updated_at_ms, @version)",
        params,
      );
    }
    for (const share of task.shares) {
      this.#run(
        "INSERT INTO task_shares VALUES (?, ?, ?, ?, ?)",
        task.id,
        share.userId,
        share.username,
        share.permission,
        share.createdAtMs,
      );
    }
  }

  #moveCount(fromListId: string | undefined, toListId: string | undefined): void {
    const sql = "UPDATE lists SET task_count = task_count + ? WHERE id = ?";
    if (fromListId !== undefined) this.#run(sql, -1, fromListId);
    if (toListId !== undefined) this.#run(sql, 1, toListId);
  }

  #withShares(rows: TaskValues[]): StoredTask[] {
    if (rows.length === 0) return [];
    const shareRows = this.#all<ShareRow>(
      "SELECT * FROM task_shares WHERE task_id IN (SELECT value FROM json_each(?)) " +
        "ORDER BY created_at_ms, user_id",
      JSON.stringify(rows.map(taskIdOf)),
    );
    const byTask = new Map<string, StoredShare[]>();
    for (const row of shareRows) {
      const list = byTask.get(row.task_id) ?? [];
      list.push(shareFromRow(row));
      byTask.set(row.task_id, list);
    }
    return rows.map((row) => taskFromValues(row, byTask.get(taskIdOf(row)) ?? []));
  }

  #insertListRow(list: StoredList): void {
    this.#run(
      "INSERT INTO lists (id, owner_id, name, is_default, task_count, created_at_ms, updated_at_ms) " +
        "VALUES (?, ?, ?, ?, 0, ?, ?)",
      list.id,
      list.ownerId,
      list.name,
      list.isDefault ? 1 : 0,
      list.createdAtMs,
      list.updatedAtMs,
    );
  }

  #statement(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #rawStatement(sql: string): Statement {
    let statement = this.#rawStatements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql).raw(true);
      this.#rawStatements.set(sql, statement);
    }
    return statement;
  }

  #getValues(sql: string, ...params: unknown[]): TaskValues | undefined {
    return this.#rawStatement(sql).get(...params) as TaskValues | undefined;
  }

  #allValues(sql: string, ...params: unknown[]): TaskValues[] {
    return this.#rawStatement(sql).all(...params) as TaskValues[];
  }

  #get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.#statement(sql).get(...params) as T | undefined;
  }

  #all<T>(sql: string, ...params: unknown[]): T[] {
    return this.#statement(sql).all(...params) as T[];
  }

  #run(sql: string, ...params: unknown[]) {
    return this.#statement(sql).run(...params);
  }
}

interface AppendTarget {
  owner_id: string;
  task_count: number;
  last: string | null;
}

interface PositionRow {
  id: string;
  position: string;
}
