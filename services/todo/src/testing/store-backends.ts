import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RedisServer, startRedisServer } from "@microtodo/kit";
import { openRedisTodoStore } from "../store/redis-todo-store.js";
import { openSqliteTodoStore } from "../store/sqlite-todo-store.js";
import type { TodoStore } from "../store/todo-store.js";

/** One store implementation a contract suite runs against. */
export interface StoreBackend {
  readonly name: "sqlite" | "redis";
  /** A fresh, empty store. */
  open(): TodoStore;
}

/**
 * Both store implementations for a test file: SQLite files in a temporary
 * folder, and key prefixes on one private redis-server. Call start() in
 * beforeAll and stop() in afterAll.
 */
export function storeBackends() {
  let redis: RedisServer | undefined;
  let folder: string | undefined;
  const opened: TodoStore[] = [];
  const track = (store: TodoStore) => {
    opened.push(store);
    return store;
  };
  const backends: StoreBackend[] = [
    {
      name: "sqlite",
      open: () =>
        track(
          openSqliteTodoStore({ path: join(folder as string, `${randomUUID()}.sqlite`) }),
        ),
    },
    {
      name: "redis",
      open: () =>
        track(
          openRedisTodoStore({
            url: (redis as RedisServer).url,
            keyPrefix: `t${randomUUID().slice(0, 8)}:`,
          }),
        ),
    },
  ];
  return {
    backends,
    async start() {
      folder = mkdtempSync(join(tmpdir(), "todo-store-"));
      redis = await startRedisServer();
    },
    async stop() {
      await Promise.allSettled(opened.map((store) => store.close()));
      await redis?.stop();
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
    /** The folder SQLite files live in (for tests that open one file twice). */
    folder: () => folder as string,
    redisUrl: () => (redis as RedisServer).url,
  };
}
