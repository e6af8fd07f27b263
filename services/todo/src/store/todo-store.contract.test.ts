import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dueSortKey, instantKey, NO_DUE_KEY } from "../domain/due.js";
import { keyBetween } from "../domain/fractional-key.js";
import { storeBackends } from "../testing/store-backends.js";
import type { PositionRef, StoredList, StoredTask, TodoStore } from "./todo-store.js";

const env = storeBackends();
beforeAll(() => env.start());
afterAll(() => env.stop());

const MAX = 10_000;

function list(ownerId: string, overrides: Partial<StoredList> = {}): StoredList {
  return {
    id: randomUUID(),
    ownerId,
    name: "List",
    isDefault: false,
    createdAtMs: 1000,
    updatedAtMs: 1000,
    ...overrides,
  };
}

function task(
  listId: string,
  position: string,
  overrides: Partial<StoredTask> = {},
): StoredTask {
  return {
    id: randomUUID(),
    listId,
    ownerId: "owner",
    ownerUsername: "owner",
    title: "Task",
    notes: "",
    completed: false,
    completedAtMs: null,
    due: null,
    dueKey: NO_DUE_KEY,
    position,
    createdAtMs: 1000,
    updatedAtMs: 1000,
    version: 1,
    shares: [],
    ...overrides,
  };
}

const ref = (t: StoredTask): PositionRef => ({ taskId: t.id, position: t.position });

/** Appends tasks at the end of a list, as the operations layer does. */
async function append(store: TodoStore, listId: string, count: number, overrides = {}) {
  const tasks: StoredTask[] = [];
  for (let i = 0; i < count; i++) {
    const lo = await store.previousInList(listId, null);
    const next = task(listId, keyBetween(lo?.position ?? null, null), overrides);
    const result = await store.putTask(next, {
      expectedVersion: 0,
      gap: { listId, lo, hi: null },
      maxTasksPerList: MAX,
    });
    expect(result).toEqual({ ok: true });
    tasks.push(next);
  }
  return tasks;
}

describe.each(env.backends)("TodoStore contract ($name)", (backend) => {
  async function storeWithList(ownerId = "owner") {
    const store = backend.open();
    const l = list(ownerId);
    await store.insertList(l, 100);
    return { store, listId: l.id };
  }

  it("creates one default list per owner even when asked concurrently", async () => {
    const store = backend.open();
    const candidates = Array.from({ length: 8 }, () => list("u1", { isDefault: true }));
    const results = await Promise.all(candidates.map((c) => store.ensureDefaultList(c)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results[0]?.isDefault).toBe(true);
    expect(await store.listLists("u1")).toHaveLength(1);
  });

  it("refuses a list beyond the per-owner limit", async () => {
    const store = backend.open();
    expect(await store.insertList(list("u2"), 2)).toBe("ok");
    expect(await store.insertList(list("u2"), 2)).toBe("ok");
    expect(await store.insertList(list("u2"), 2)).toBe("limit");
    expect(await store.insertList(list("u3"), 2)).toBe("ok");
    expect(await store.listLists("u2")).toHaveLength(2);
  });

  it("renames a list and counts its tasks", async () => {
    const { store, listId } = await storeWithList();
    await append(store, listId, 3);
    const renamed = await store.renameList(listId, "Groceries", 2000);
    expect(renamed).toMatchObject({ name: "Groceries", updatedAtMs: 2000, taskCount: 3 });
    expect(await store.renameList(randomUUID(), "x", 1)).toBeUndefined();
  });

  it("stores and returns a task with its due date and shares", async () => {
    const { store, listId } = await storeWithList();
    const due = {
      kind: "time" as const,
      timeMs: 1_700_000_000_000,
      timeZone: "Europe/Paris",
    };
    const stored = task(listId, "a0", {
      due,
      dueKey: dueSortKey(due),
      notes: "ünïcødé ✓",
      shares: [{ userId: "u9", username: "nine", permission: "edit", createdAtMs: 5 }],
    });
    await store.putTask(stored, {
      expectedVersion: 0,
      gap: { listId, lo: null, hi: null },
      maxTasksPerList: MAX,
    });
    expect(await store.getTask(stored.id)).toEqual(stored);
    expect(await store.getTask(randomUUID())).toBeUndefined();
  });

  it("refuses a write at a stale version and changes nothing", async () => {
    const { store, listId } = await storeWithList();
    const [original] = (await append(store, listId, 1)) as [StoredTask];
    const first = { ...original, title: "first", version: 2 };
    expect(
      await store.putTask(first, { expectedVersion: 1, maxTasksPerList: MAX }),
    ).toEqual({ ok: true });
    const second = { ...original, title: "second", version: 2 };
    expect(
      await store.putTask(second, { expectedVersion: 1, maxTasksPerList: MAX }),
    ).toEqual({
      ok: false,
      reason: "stale",
    });
    expect((await store.getTask(original.id))?.title).toBe("first");
    // Inserting an id that exists is stale too.
    const duplicate = { ...original, position: keyBetween(first.position, null) };
    expect(
      await store.putTask(duplicate, {
        expectedVersion: 0,
        gap: { listId, lo: ref(first), hi: null },
        maxTasksPerList: MAX,
      }),
    ).toMatchObject({ ok: false, reason: "stale" });
  });

  it("refuses a placement whose gap another task took meanwhile", async () => {
    const { store, listId } = await storeWithList();
    const [a, b] = (await append(store, listId, 2)) as [StoredTask, StoredTask];
    const gap = { listId, lo: ref(a), hi: ref(b) };
    const x = task(listId, keyBetween(a.position, b.position));
    expect(
      await store.putTask(x, { expectedVersion: 0, gap, maxTasksPerList: MAX }),
    ).toEqual({ ok: true });
    // Same gap, a different key inside it: x now lies between the bounds.
    const y = task(listId, keyBetween(a.position, x.position));
    expect(
      await store.putTask(y, { expectedVersion: 0, gap, maxTasksPerList: MAX }),
    ).toEqual({
      ok: false,
      reason: "gap_changed",
    });
    // A bound that moved away also invalidates the gap.
    const movedB = { ...b, position: keyBetween(b.position, null), version: 2 };
    await store.putTask(movedB, {
      expectedVersion: 1,
      gap: { listId, lo: ref(b), hi: null },
      maxTasksPerList: MAX,
    });
    const z = task(listId, keyBetween(x.position, b.position));
    expect(
      await store.putTask(z, {
        expectedVersion: 0,
        gap: { listId, lo: ref(x), hi: ref(b) },
        maxTasksPerList: MAX,
      }),
    ).toEqual({ ok: false, reason: "gap_changed" });
  });

  it("lets a task move within its own gap without counting itself as an intruder", async () => {
    const { store, listId } = await storeWithList();
    const [a, b, c] = (await append(store, listId, 3)) as [
      StoredTask,
      StoredTask,
      StoredTask,
    ];
    const moved = { ...b, position: keyBetween(a.position, b.position), version: 2 };
    const result = await store.putTask(moved, {
      expectedVersion: 1,
      gap: { listId, lo: ref(a), hi: ref(c) },
      maxTasksPerList: MAX,
    });
    expect(result).toEqual({ ok: true });
    const order = await store.listTasks({
      scope: { kind: "list", listId },
      order: "position",
      limit: 10,
    });
    expect(order.map((t) => t.id)).toEqual([a.id, b.id, c.id]);
  });

  it("refuses a task entering a full list or a missing list", async () => {
    const { store, listId } = await storeWithList();
    await append(store, listId, 2);
    const last = await store.previousInList(listId, null);
    const extra = task(listId, keyBetween(last?.position ?? null, null));
    const gap = { listId, lo: last, hi: null };
    expect(
      await store.putTask(extra, { expectedVersion: 0, gap, maxTasksPerList: 2 }),
    ).toEqual({
      ok: false,
      reason: "list_full",
    });
    const orphan = task(randomUUID(), "a0");
    expect(
      await store.putTask(orphan, {
        expectedVersion: 0,
        gap: { listId: orphan.listId, lo: null, hi: null },
        maxTasksPerList: MAX,
      }),
    ).toEqual({ ok: false, reason: "list_missing" });
  });

  it("appends a task after the last one of its list and counts it", async () => {
    const { store, listId } = await storeWithList();
    const [first] = (await append(store, listId, 1)) as [StoredTask];
    const { position: _, ...unplaced } = task(listId, "");
    const result = await store.appendTask(unplaced, MAX);
    expect(result).toEqual({ ok: true, position: keyBetween(first.position, null) });
    expect(await store.getTask(unplaced.id)).toMatchObject({
      ...unplaced,
      position: keyBetween(first.position, null),
    });
    expect((await store.getList(listId))?.taskCount).toBe(2);
    expect(await store.previousInList(listId, null)).toEqual({
      taskId: unplaced.id,
      position: keyBetween(first.position, null),
    });
  });

  it("refuses an append to a full list, a missing list or another owner's list", async () => {
    const { store, listId } = await storeWithList("owner");
    await append(store, listId, 2);
    const unplaced = (overrides: Partial<StoredTask>) => {
      const { position: _, ...rest } = task(listId, "", overrides);
      return rest;
    };
    expect(await store.appendTask(unplaced({}), 2)).toEqual({
      ok: false,
      reason: "list_full",
    });
    expect(await store.appendTask(unplaced({ listId: randomUUID() }), MAX)).toEqual({
      ok: false,
      reason: "list_missing",
    });
    const intruder = unplaced({ ownerId: "someone-else" });
    expect(await store.appendTask(intruder, MAX)).toEqual({
      ok: false,
      reason: "list_missing",
    });
    expect(await store.getTask(intruder.id)).toBeUndefined();
    expect((await store.getList(listId))?.taskCount).toBe(2);
  });

  it("gives concurrent appends to one list distinct positions, all counted", async () => {
    const { store, listId } = await storeWithList();
    const appendOne = async (title: string) => {
      const { position: _, ...unplaced } = task(listId, "", { title });
      for (;;) {
        const result = await store.appendTask(unplaced, MAX);
        if (result.ok) return result.position;
        expect(result).toEqual({ ok: false, reason: "gap_changed" });
      }
    };
    const positions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => appendOne(`t${i}`)),
    );
    expect(new Set(positions).size).toBe(20);
    const stored = await store.listTasks({
      scope: { kind: "list", listId },
      order: "position",
      limit: 50,
    });
    expect(stored.map((t) => t.position)).toEqual([...positions].sort());
    expect((await store.getList(listId))?.taskCount).toBe(20);
  });

  it("moves a task to another list and keeps both counts right", async () => {
    const { store, listId } = await storeWithList();
    const other = list("owner");
    await store.insertList(other, 100);
    const [t] = (await append(store, listId, 1)) as [StoredTask];
    const moved = { ...t, listId: other.id, position: "a0", version: 2 };
    expect(
      await store.putTask(moved, {
        expectedVersion: 1,
        gap: { listId: other.id, lo: null, hi: null },
        maxTasksPerList: MAX,
      }),
    ).toEqual({ ok: true });
    expect((await store.getList(listId))?.taskCount).toBe(0);
    expect((await store.getList(other.id))?.taskCount).toBe(1);
    expect(await store.nextInList(listId, null)).toBeNull();
    expect(await store.nextInList(other.id, null)).toEqual(ref(moved));
  });

  it("finds neighbours, indexes and ranks in position order", async () => {
    const { store, listId } = await storeWithList();
    const [a, b, c] = (await append(store, listId, 3)) as [
      StoredTask,
      StoredTask,
      StoredTask,
    ];
    expect(await store.nextInList(listId, null)).toEqual(ref(a));
    expect(await store.nextInList(listId, a.position)).toEqual(ref(b));
    expect(await store.nextInList(listId, a.position, b.id)).toEqual(ref(c));
    expect(await store.nextInList(listId, c.position)).toBeNull();
    expect(await store.previousInList(listId, null)).toEqual(ref(c));
    expect(await store.previousInList(listId, c.position, b.id)).toEqual(ref(a));
    expect(await store.previousInList(listId, a.position)).toBeNull();
    expect(await store.atIndex(listId, 1)).toEqual(ref(b));
    expect(await store.atIndex(listId, 0, ref(a))).toEqual(ref(b));
    expect(await store.atIndex(listId, 1, ref(a))).toEqual(ref(c));
    expect(await store.atIndex(listId, 1, ref(c))).toEqual(ref(b));
    expect(await store.atIndex(listId, 3)).toBeNull();
    expect(await store.countBefore(listId, c.position)).toBe(2);
    // A key that extends another sorts after it.
    const longer = `${a.position}V`;
    expect(await store.countBefore(listId, longer)).toBe(1);
  });

  it("pages a list by position without repeating or skipping", async () => {
    const { store, listId } = await storeWithList();
    const tasks = await append(store, listId, 7);
    const seen: string[] = [];
    let after: { key: string; id: string } | undefined;
    for (;;) {
      const page = await store.listTasks({
        scope: { kind: "list", listId },
        order: "position",
        limit: 3,
        ...(after ? { after } : {}),
      });
      seen.push(...page.map((t) => t.id));
      const last = page.at(-1);
      if (page.length < 3 || !last) break;
      after = { key: last.position, id: last.id };
    }
    expect(seen).toEqual(tasks.map((t) => t.id));
  });

  it("filters by completion and due window, and orders by due with undated last", async () => {
    const { store, listId } = await storeWithList();
    const day = 86_400_000;
    const base = Date.UTC(2030, 0, 1);
    const dues = [3, null, 1, 2, null, 0];
    let lo: PositionRef | null = null;
    const tasks: StoredTask[] = [];
    for (const [i, offset] of dues.entries()) {
      const due =
        offset === null
          ? null
          : {
              kind: "date" as const,
              date: new Date(base + offset * day).toISOString().slice(0, 10),
            };
      const t = task(listId, keyBetween(lo?.position ?? null, null), {
        due,
        dueKey: dueSortKey(due),
        completed: i % 2 === 0,
      });
      await store.putTask(t, {
        expectedVersion: 0,
        gap: { listId, lo, hi: null },
        maxTasksPerList: MAX,
      });
      lo = ref(t);
      tasks.push(t);
    }
    const byDue = await store.listTasks({
      scope: { kind: "list", listId },
      order: "due",
      limit: 10,
    });
    const undated = [tasks[1], tasks[4]].map((t) => t?.id as string).sort();
    expect(byDue.map((t) => t.id)).toEqual([
      ...[5, 2, 3, 0].map((i) => tasks[i]?.id),
      ...undated,
    ]);
    const windowed = await store.listTasks({
      scope: { kind: "list", listId },
      order: "due",
      dueAtOrAfterKey: instantKey(base + day),
      dueBeforeKey: instantKey(base + 3 * day),
      limit: 10,
    });
    expect(windowed.map((t) => t.id)).toEqual([tasks[2]?.id, tasks[3]?.id]);
    const onlyAfter = await store.listTasks({
      scope: { kind: "list", listId },
      order: "position",
      dueAtOrAfterKey: instantKey(base + 2 * day),
      limit: 10,
    });
    expect(onlyAfter.map((t) => t.id)).toEqual([tasks[0]?.id, tasks[3]?.id]);
    const open = await store.listTasks({
      scope: { kind: "list", listId },
      order: "position",
      completed: false,
      limit: 10,
    });
    expect(open.map((t) => t.id)).toEqual([tasks[1]?.id, tasks[3]?.id, tasks[5]?.id]);
  });

  it("lists tasks shared with a user across lists and forgets removed shares", async () => {
    const { store, listId } = await storeWithList("alice");
    const other = list("bob");
    await store.insertList(other, 100);
    const share = {
      userId: "carol",
      username: "carol",
      permission: "view" as const,
      createdAtMs: 1,
    };
    const [a1, a2] = await append(store, listId, 2, { shares: [share] });
    const [b1] = await append(store, other.id, 1, { shares: [share] });
    await append(store, listId, 1);
    const shared = () =>
      store.listTasks({
        scope: { kind: "shared", userId: "carol" },
        order: "position",
        limit: 10,
      });
    const ids = (await shared()).map((t) => t.id);
    expect(ids.sort()).toEqual([a1?.id, a2?.id, b1?.id].sort());
    const fromList = await store.listTasks({
      scope: { kind: "shared", userId: "carol", listId },
      order: "position",
      limit: 10,
    });
    expect(fromList.map((t) => t.id)).toEqual([a1?.id, a2?.id]);
    const unshared = { ...(a1 as StoredTask), shares: [], version: 2 };
    await store.putTask(unshared, { expectedVersion: 1, maxTasksPerList: MAX });
    expect((await shared()).map((t) => t.id).sort()).toEqual([a2?.id, b1?.id].sort());
    await store.deleteTask((a2 as StoredTask).id, 0);
    await store.deleteList(other.id, { keepList: false });
    expect(await shared()).toEqual([]);
  });

  it("pages shared tasks with a cursor", async () => {
    const { store, listId } = await storeWithList("alice");
    const share = {
      userId: "dan",
      username: "dan",
      permission: "edit" as const,
      createdAtMs: 1,
    };
    const tasks = await append(store, listId, 5, { shares: [share] });
    const first = await store.listTasks({
      scope: { kind: "shared", userId: "dan" },
      order: "position",
      limit: 2,
    });
    const last = first.at(-1) as StoredTask;
    const rest = await store.listTasks({
      scope: { kind: "shared", userId: "dan" },
      order: "position",
      after: { key: last.position, id: last.id },
      limit: 10,
    });
    expect([...first, ...rest].map((t) => t.id)).toEqual(tasks.map((t) => t.id));
  });

  it("deletes a task only at the expected version, or at any version with 0", async () => {
    const { store, listId } = await storeWithList();
    const [a, b] = (await append(store, listId, 2)) as [StoredTask, StoredTask];
    expect(await store.deleteTask(a.id, 7)).toBe("stale");
    expect(await store.deleteTask(a.id, 1)).toBe("ok");
    expect(await store.deleteTask(a.id, 1)).toBe("missing");
    expect(await store.deleteTask(b.id, 0)).toBe("ok");
    expect((await store.getList(listId))?.taskCount).toBe(0);
    expect(await store.nextInList(listId, null)).toBeNull();
  });

  it("deletes a list with its tasks, or empties it and keeps it", async () => {
    const { store, listId } = await storeWithList();
    const tasks = await append(store, listId, 3);
    expect(await store.deleteList(listId, { keepList: true })).toBe(3);
    expect(await store.getList(listId)).toMatchObject({ taskCount: 0 });
    expect(await store.getTask((tasks[0] as StoredTask).id)).toBeUndefined();
    await append(store, listId, 1);
    expect(await store.deleteList(listId, { keepList: false })).toBe(1);
    expect(await store.getList(listId)).toBeUndefined();
    expect(await store.listLists("owner")).toEqual([]);
    expect(await store.deleteList(listId, { keepList: false })).toBeUndefined();
  });
});

describe("SQLite store shared by several processes", () => {
  it("sees another connection's writes and keeps one default list across them", async () => {
    const { openSqliteTodoStore } = await import("./sqlite-todo-store.js");
    const path = `${env.folder()}/shared-${randomUUID()}.sqlite`;
    const first = openSqliteTodoStore({ path });
    const second = openSqliteTodoStore({ path });
    try {
      const one = await first.ensureDefaultList(list("zoe", { isDefault: true }));
      const two = await second.ensureDefaultList(list("zoe", { isDefault: true }));
      expect(two.id).toBe(one.id);
      await append(first, one.id, 2);
      expect((await second.getList(one.id))?.taskCount).toBe(2);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
