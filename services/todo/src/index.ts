// Public surface of @microtodo/todo: the app factory and the parts it is
// built from, for the service's main, end-to-end tests and benchmarks.
export { dueSortKey, instantKey } from "./domain/due.js";
export { keyBetween } from "./domain/fractional-key.js";
export { DEFAULT_TODO_LIMITS, type TodoLimits } from "./domain/todo-limits.js";
export type { Caller } from "./operations/operation-context.js";
export type {
  ListTasksInput,
  MoveTarget,
  NewTaskInput,
  TaskPage,
  TaskPatch,
} from "./operations/task-operations.js";
export {
  createTodoOperations,
  type TodoOperations,
  type TodoOperationsOptions,
} from "./operations/todo-operations.js";
export { type RestRoutesDeps, registerRestRoutes } from "./rest/register-rest-routes.js";
export { REST_ROUTE_PREFIX, type RestTask } from "./rest/rest-task.js";
export { createTodoService, type TodoServiceDeps } from "./rpc/todo-service.js";
export { openTodoStore, type TodoStoreLocation } from "./store/open-todo-store.js";
export {
  openRedisTodoStore,
  type RedisTodoStoreOptions,
} from "./store/redis-todo-store.js";
export {
  openSqliteTodoStore,
  type SqliteTodoStoreOptions,
} from "./store/sqlite-todo-store.js";
export type * from "./store/todo-store.js";
export { createTodoApp, type TodoApp, type TodoAppOptions } from "./todo-app.js";
export { type TodoConfig, todoConfigSchema } from "./todo-config.js";
export {
  type AuthUserDirectoryOptions,
  createAuthUserDirectory,
} from "./users/auth-user-directory.js";
export {
  type DirectoryUser,
  normalizeUsername,
  type UserDirectory,
} from "./users/user-directory.js";
