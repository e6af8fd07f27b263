import { NO_DUE_KEY } from "../domain/due.js";
import { taskColumns } from "./sqlite-rows.js";
import type { TaskQuery } from "./todo-store.js";

const SELECT_TASKS = `SELECT ${taskColumns("t")}`;

/** SQL and named parameters for one page of tasks, selecting taskColumns("t"). */
export interface SqlQuery {
  readonly sql: string;
  readonly params: Record<string, string | number>;
}

/**
 * Builds the keyset query for a page: rows strictly after the cursor's
 * (key, id), in (key, id) order, so a page never repeats or skips a task
 * that stayed in place, however many were added meanwhile.
 */
export function buildTaskQuery(query: TaskQuery): SqlQuery {
  const keyColumn = query.order === "position" ? "t.position" : "t.due_key";
  const where: string[] = [];
  const params: Record<string, string | number> = { limit: query.limit };
  let from = "tasks t";
  if (query.scope.kind === "list") {
    where.push("t.list_id = @listId");
    params.listId = query.scope.listId;
  } else {
    from = "task_shares s JOIN tasks t ON t.id = s.task_id";
    where.push("s.user_id = @userId");
    params.userId = query.scope.userId;
    if (query.scope.listId !== undefined) {
      where.push("t.list_id = @listId");
      params.listId = query.scope.listId;
    }
  }
  if (query.completed !== undefined) {
    where.push("t.completed = @completed");
    params.completed = query.completed ? 1 : 0;
  }
  if (query.dueBeforeKey !== undefined) {
    where.push("t.due_key < @dueBefore");
    params.dueBefore = query.dueBeforeKey;
  }
  if (query.dueAtOrAfterKey !== undefined) {
    where.push("t.due_key >= @dueAfter AND t.due_key <> @noDue");
    params.dueAfter = query.dueAtOrAfterKey;
    params.noDue = NO_DUE_KEY;
  }
  if (query.after !== undefined) {
    where.push(`(${keyColumn}, t.id) > (@afterKey, @afterId)`);
    params.afterKey = query.after.key;
    params.afterId = query.after.id;
  }
  const sql =
    `${SELECT_TASKS} FROM ${from} WHERE ${where.join(" AND ")} ` +
    `ORDER BY ${keyColumn}, t.id LIMIT @limit`;
  return { sql, params };
}
