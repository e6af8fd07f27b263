import type {
  CountedList,
  SharePermission,
  StoredDue,
  StoredShare,
  StoredTask,
} from "./todo-store.js";

/** A row of `lists`. */
export interface ListRow {
  id: string;
  owner_id: string;
  name: string;
  is_default: number;
  task_count: number;
  created_at_ms: number;
  updated_at_ms: number;
}

/** A row of `tasks`. */
export interface TaskRow {
  id: string;
  list_id: string;
  owner_id: string;
  owner_username: string;
  title: string;
  notes: string;
  completed: number;
  completed_at_ms: number | null;
  due_json: string | null;
  due_key: string;
  position: string;
  created_at_ms: number;
  updated_at_ms: number;
  version: number;
}

/** A row of `task_shares`. */
export interface ShareRow {
  task_id: string;
  user_id: string;
  username: string;
  permission: string;
  created_at_ms: number;
}

/** A list from its row. */
export function listFromRow(row: ListRow): CountedList {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    isDefault: row.is_default === 1,
    taskCount: row.task_count,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}

/** The task columns task reads select, in the order taskFromValues reads them. */
const TASK_COLUMNS = [
  "id",
  "list_id",
  "owner_id",
  "owner_username",
  "title",
  "notes",
  "completed",
  "completed_at_ms",
  "due_json",
  "due_key",
  "position",
  "created_at_ms",
  "updated_at_ms",
  "version",
] as const;

/**
 * A task row as better-sqlite3's raw mode returns it: the values in
 * TASK_COLUMNS order. Pages read rows this way because building one object
 * per row with named columns costs about as much again as the query itself.
 */
export type TaskValues = readonly unknown[];

/** The select list of a task read, each column qualified by `alias` when given. */
export function taskColumns(alias = ""): string {
  const prefix = alias === "" ? "" : `${alias}.`;
  return TASK_COLUMNS.map((column) => prefix + column).join(", ");
}

/** The id of a task read with taskColumns(). */
export function taskIdOf(values: TaskValues): string {
  return values[0] as string;
}

/** A task from a raw row selected with taskColumns(), and its shares. */
export function taskFromValues(
  values: TaskValues,
  shares: readonly StoredShare[],
): StoredTask {
  const dueJson = values[8] as string | null;
  return {
    id: values[0] as string,
    listId: values[1] as string,
    ownerId: values[2] as string,
    ownerUsername: values[3] as string,
    title: values[4] as string,
    notes: values[5] as string,
    completed: values[6] === 1,
    completedAtMs: values[7] as number | null,
    due: dueJson === null ? null : (JSON.parse(dueJson) as StoredDue),
    dueKey: values[9] as string,
    position: values[10] as string,
    createdAtMs: values[11] as number,
    updatedAtMs: values[12] as number,
    version: values[13] as number,
    shares,
  };
}

/** Named parameters of the task insert and update statements. */
export function taskParams(task: StoredTask): TaskRow {
  return {
    id: task.id,
    list_id: task.listId,
    owner_id: task.ownerId,
    owner_username: task.ownerUsername,
    title: task.title,
    notes: task.notes,
    completed: task.completed ? 1 : 0,
    completed_at_ms: task.completedAtMs,
    due_json: task.due === null ? null : JSON.stringify(task.due),
    due_key: task.dueKey,
    position: task.position,
    created_at_ms: task.createdAtMs,
    updated_at_ms: task.updatedAtMs,
    version: task.version,
  };
}

/** A share from its row. */
export function shareFromRow(row: ShareRow): StoredShare {
  return {
    userId: row.user_id,
    username: row.username,
    permission: row.permission as SharePermission,
    createdAtMs: row.created_at_ms,
  };
}
