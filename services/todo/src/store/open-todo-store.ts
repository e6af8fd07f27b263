import { join } from "node:path";
import { openRedisTodoStore } from "./redis-todo-store.js";
import { openSqliteTodoStore } from "./sqlite-todo-store.js";
import type { TodoStore } from "./todo-store.js";

/** Where the store lives. */
export interface TodoStoreLocation {
  /** A redis:// URL: use Redis. Empty: SQLite under dataDir. */
  readonly redisUrl: string;
  /** Folder of `todo.sqlite`, shared by every todo process on the machine. */
  readonly dataDir: string;
}

/** Opens Redis when a URL is given, else the machine's SQLite file. */
export function openTodoStore(location: TodoStoreLocation): {
  store: TodoStore;
  kind: "redis" | "sqlite";
} {
  if (location.redisUrl !== "") {
    return { store: openRedisTodoStore({ url: location.redisUrl }), kind: "redis" };
  }
  const path = join(location.dataDir, "todo.sqlite");
  return { store: openSqliteTodoStore({ path }), kind: "sqlite" };
}
