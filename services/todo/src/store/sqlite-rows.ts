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

/** A task from its row and its share rows. */
export function taskFromRow(row: TaskRow, shares: readonly StoredShare[]): StoredTask {
  return {
    id: row.id,
    listId: row.list_id,
    ownerId: row.owner_id,
    ownerUsername: row.owner_username,
    title: row.title,
    notes: row.notes,
    completed: row.completed === 1,
    completedAtMs: row.completed_at_ms,
    due: row.due_json === null ? null : (JSON.parse(row.due_json) as StoredDue),
    dueKey: row.due_key,
    position: row.position,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
    version: row.version,
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
