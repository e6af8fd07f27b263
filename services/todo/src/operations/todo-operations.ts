import { timeOrderedId } from "../domain/time-ordered-id.js";
import { DEFAULT_TODO_LIMITS, type TodoLimits } from "../domain/todo-limits.js";
import type { TodoStore } from "../store/todo-store.js";
import type { UserDirectory } from "../users/user-directory.js";
import { createListOperations, type ListOperations } from "./list-operations.js";
import type { OperationContext } from "./operation-context.js";
import { createShareOperations, type ShareOperations } from "./share-operations.js";
import { createTaskOperations, type TaskOperations } from "./task-operations.js";

/** Everything the todo service does, independent of RPC or REST. */
export type TodoOperations = ListOperations & TaskOperations & ShareOperations;

/** What the operations need. */
export interface TodoOperationsOptions {
  readonly store: TodoStore;
  readonly directory: UserDirectory;
  /** Overrides of the contract's limits (tests use small ones); default DEFAULT_TODO_LIMITS. */
  readonly limits?: Partial<TodoLimits>;
  /** Clock in ms since the epoch; default Date.now. */
  readonly nowMs?: () => number;
  /** Id generator for lists and tasks; default random UUIDs. */
  readonly newId?: () => string;
}

/** Builds the operations over a store and a user directory. */
export function createTodoOperations(options: TodoOperationsOptions): TodoOperations {
  const context: OperationContext = {
    store: options.store,
    directory: options.directory,
    limits: { ...DEFAULT_TODO_LIMITS, ...options.limits },
    nowMs: options.nowMs ?? Date.now,
    newId: options.newId ?? timeOrderedId,
  };
  const lists = createListOperations(context);
  const tasks = createTaskOperations(context, lists);
  const shares = createShareOperations(context, tasks);
  return { ...lists, ...tasks, ...shares };
}
