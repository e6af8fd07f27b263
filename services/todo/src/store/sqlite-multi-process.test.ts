import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteTodoStore } from "./sqlite-todo-store.js";

const folder = mkdtempSync(join(tmpdir(), "todo-multi-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const writer = fileURLToPath(
  new URL("../testing/sqlite-writer-process.ts", import.meta.url),
);

function runWriter(args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", writer, ...args], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve(code));
  });
}

describe("SQLite store shared by two processes", () => {
  it("lets two processes append to one list at once with one default list and unique positions", async () => {
    const path = join(folder, "todo.sqlite");
    const userId = randomUUID();
    const codes = await Promise.all([
      runWriter([path, userId, "150", "a"]),
      runWriter([path, userId, "150", "b"]),
    ]);
    expect(codes).toEqual([0, 0]);
    const store = openSqliteTodoStore({ path });
    try {
      const lists = await store.listLists(userId);
      expect(lists).toHaveLength(1);
      expect(lists[0]?.taskCount).toBe(300);
      const tasks = await store.listTasks({
        scope: { kind: "list", listId: lists[0]?.id ?? "" },
        order: "position",
        limit: 1000,
      });
      expect(tasks).toHaveLength(300);
      expect(new Set(tasks.map((t) => t.position)).size).toBe(300);
      // Each writer's own tasks keep the order it created them in.
      for (const label of ["a", "b"]) {
        const mine = tasks
          .filter((t) => t.title.startsWith(`${label}-`))
          .map((t) => t.title);
        expect(mine).toEqual(Array.from({ length: 150 }, (_, i) => `${label}-${i}`));
      }
    } finally {
      await store.close();
    }
  });
});
