import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { DueSchema, type Task, TaskOrder, TaskSchema } from "@microtodo/api/todo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectErrorOf } from "../testing/connect-error-of.js";
import { storeBackends } from "../testing/store-backends.js";
import { createHarnessIdentity, createTodoHarness } from "../testing/todo-harness.js";

const env = storeBackends();
let identity: Awaited<ReturnType<typeof createHarnessIdentity>>;
beforeAll(async () => {
  identity = await createHarnessIdentity();
  await env.start();
});
afterAll(() => env.stop());

const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

describe.each(env.backends)("TodoService tasks and lists ($name)", (backend) => {
  function setup(limits = {}) {
    const harness = createTodoHarness(backend, identity, limits);
    const me = harness.as(harness.users.alice);
    const createTask = async (title: string, listId = "") =>
      (await harness.client.createTask({ title, listId }, me)).task as Task;
    const titles = async (listId = "") =>
      (await harness.client.listTasks({ listId, pageSize: 200 }, me)).tasks.map(
        (t) => t.title,
      );
    return { ...harness, me, createTask, titles };
  }

  it("creates a task in the default list, which appears on first use", async () => {
    const { client, me, users } = setup();
    const lists = await client.listLists({}, me);
    expect(lists.lists).toHaveLength(1);
    expect(lists.lists[0]).toMatchObject({
      isDefault: true,
      taskCount: 0,
      ownerId: users.alice.id,
    });
    const { task } = await client.createTask(
      {
        title: "Write report",
        notes: "two pages",
        due: { when: { case: "date", value: "2031-02-28" } },
      },
      me,
    );
    expect(task).toMatchObject({
      listId: lists.lists[0]?.id,
      title: "Write report",
      notes: "two pages",
      completed: false,
      version: 1n,
      ownerId: users.alice.id,
      ownerUsername: "alice",
    });
    expect(task?.due?.when).toEqual({ case: "date", value: "2031-02-28" });
    expect(task?.createdAt).toBeDefined();
    const read = await client.getTask({ taskId: task?.id ?? "" }, me);
    expect(read.task).toEqual(task);
    expect((await client.listLists({}, me)).lists[0]?.taskCount).toBe(1);
  });

  it("refuses titles, notes and due dates outside the limits, naming the field", async () => {
    const { client, me } = setup();
    const attempt = (init: Parameters<typeof client.createTask>[0]) =>
      connectErrorOf(client.createTask(init, me));
    const cases: [Parameters<typeof client.createTask>[0], string][] = [
      [{ title: "" }, "title:"],
      [{ title: "   " }, "title:"],
      [{ title: "x".repeat(1025) }, "title:"],
      [{ title: "ok", notes: "n".repeat(8193) }, "notes:"],
      [
        { title: "ok", due: { when: { case: "date", value: "2031-02-30" } } },
        "due.date:",
      ],
      [{ title: "ok", due: { when: { case: "date", value: "tomorrow" } } }, "due.date:"],
      [
        {
          title: "ok",
          due: {
            when: { case: "time", value: timestampFromMs(0) },
            timeZone: "Mars/Olympus",
          },
        },
        "due.time_zone:",
      ],
    ];
    for (const [init, field] of cases) {
      const err = await attempt(init);
      expect(err?.code, field).toBe(Code.InvalidArgument);
      expect(err?.rawMessage.startsWith(field), err?.rawMessage).toBe(true);
    }
    // The limits count characters, not UTF-16 units: 1024 emoji fit.
    const emoji = await client.createTask(
      { title: "😀".repeat(1024), notes: "é".repeat(8192) },
      me,
    );
    expect(emoji.task?.title).toHaveLength(2048);
  });

  it("keeps a due instant with its zone", async () => {
    const { client, me } = setup();
    const at = Date.UTC(2030, 5, 1, 7, 30);
    const due = create(DueSchema, {
      when: { case: "time", value: timestampFromMs(at) },
      timeZone: "Europe/Paris",
    });
    const { task } = await client.createTask({ title: "Call", due }, me);
    expect(task?.due).toEqual(due);
  });

  it("updates only the masked fields, bumps the version and stamps completion", async () => {
    const { client, me, createTask } = setup();
    const task = await createTask("Draft");
    const { task: done } = await client.updateTask(
      {
        taskId: task.id,
        task: create(TaskSchema, { title: "ignored", notes: "final", completed: true }),
        updateMask: mask("notes", "completed"),
        expectedVersion: 1n,
      },
      me,
    );
    expect(done).toMatchObject({
      title: "Draft",
      notes: "final",
      completed: true,
      version: 2n,
    });
    expect(done?.completedAt).toBeDefined();
    const { task: reopened } = await client.updateTask(
      {
        taskId: task.id,
        task: { completed: false },
        updateMask: mask("completed"),
        expectedVersion: 2n,
      },
      me,
    );
    expect(reopened?.completedAt).toBeUndefined();
    const { task: undated } = await client.updateTask(
      { taskId: task.id, task: {}, updateMask: mask("due"), expectedVersion: 3n },
      me,
    );
    expect(undated?.due).toBeUndefined();
  });

  it("refuses a stale version with ABORTED and changes nothing", async () => {
    const { client, me, createTask } = setup();
    const task = await createTask("Original");
    await client.updateTask(
      {
        taskId: task.id,
        task: { title: "First" },
        updateMask: mask("title"),
        expectedVersion: 1n,
      },
      me,
    );
    const stale = await connectErrorOf(
      client.updateTask(
        {
          taskId: task.id,
          task: { title: "Second" },
          updateMask: mask("title"),
          expectedVersion: 1n,
        },
        me,
      ),
    );
    expect(stale?.code).toBe(Code.Aborted);
    expect(stale?.rawMessage).toMatch(/^expected_version:/);
    const now = (await client.getTask({ taskId: task.id }, me)).task;
    expect(now).toMatchObject({ title: "First", version: 2n });
  });

  it("lets exactly one of many concurrent updates at the same version win", async () => {
    const { client, me, createTask } = setup();
    const task = await createTask("Contended");
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        connectErrorOf(
          client.updateTask(
            {
              taskId: task.id,
              task: { title: `v${i}` },
              updateMask: mask("title"),
              expectedVersion: 1n,
            },
            me,
          ),
        ),
      ),
    );
    expect(results.filter((err) => err === undefined)).toHaveLength(1);
    expect(results.filter((err) => err?.code === Code.Aborted)).toHaveLength(9);
    expect((await client.getTask({ taskId: task.id }, me)).task?.version).toBe(2n);
  });

  it("refuses an update without a mask, with an unknown path or without a version", async () => {
    const { client, me, createTask } = setup();
    const task = await createTask("t");
    const update = (paths: string[], expectedVersion = 1n) =>
      connectErrorOf(
        client.updateTask(
          {
            taskId: task.id,
            task: { title: "x" },
            updateMask: mask(...paths),
            expectedVersion,
          },
          me,
        ),
      );
    expect((await update([]))?.rawMessage).toMatch(/^update_mask:/);
    expect((await update(["owner_id"]))?.rawMessage).toMatch(/^update_mask:/);
    expect((await update(["title"], 0n))?.rawMessage).toMatch(/^expected_version:/);
  });

  it("moves a task before, after and into another list without renumbering", async () => {
    const { client, me, createTask, titles } = setup();
    const [a, b, c] = [
      await createTask("a"),
      await createTask("b"),
      await createTask("c"),
    ];
    const move = (
      taskId: string,
      target: Parameters<typeof client.moveTask>[0]["target"],
    ) => client.moveTask({ taskId, target }, me);
    await move(c.id, { case: "beforeTaskId", value: a.id });
    expect(await titles()).toEqual(["c", "a", "b"]);
    const moved = await move(c.id, { case: "afterTaskId", value: a.id });
    expect(await titles()).toEqual(["a", "c", "b"]);
    expect(moved.task?.version).toBe(3n);
    // Only the moved task changed: the others kept their keys.
    const after = (await client.listTasks({}, me)).tasks;
    expect(after.find((t) => t.id === a.id)?.position).toBe(a.position);
    expect(after.find((t) => t.id === b.id)?.position).toBe(b.position);
    const other = (await client.createList({ name: "Later" }, me)).list;
    await createTask("x", other?.id);
    await move(b.id, { case: "listId", value: other?.id ?? "" });
    expect(await titles(other?.id)).toEqual(["x", "b"]);
    expect(await titles()).toEqual(["a", "c"]);
    const missing = await connectErrorOf(
      move(a.id, { case: "afterTaskId", value: crypto.randomUUID() }),
    );
    expect(missing?.code).toBe(Code.NotFound);
    expect(missing?.rawMessage).toMatch(/^after_task_id:/);
    const none = await connectErrorOf(move(a.id, { case: undefined }));
    expect(none?.rawMessage).toMatch(/^target:/);
  });

  it("leaves a consistent order after 50 concurrent moves in one list", async () => {
    const { client, me, createTask } = setup();
    const tasks: Task[] = [];
    for (let i = 0; i < 20; i++) tasks.push(await createTask(`t${i}`));
    let seed = 7;
    const pick = () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return tasks[seed % tasks.length] as Task;
    };
    const moves = Array.from({ length: 50 }, () => {
      const task = pick();
      let anchor = pick();
      while (anchor.id === task.id) anchor = pick();
      const target =
        seed % 2 === 0
          ? ({ case: "beforeTaskId", value: anchor.id } as const)
          : ({ case: "afterTaskId", value: anchor.id } as const);
      return client.moveTask({ taskId: task.id, target }, me);
    });
    const outcomes = await Promise.allSettled(moves);
    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
    const listed = (await client.listTasks({ pageSize: 200 }, me)).tasks;
    expect(listed.map((t) => t.id).sort()).toEqual(tasks.map((t) => t.id).sort());
    const positions = listed.map((t) => t.position);
    expect(new Set(positions).size).toBe(tasks.length);
    expect([...positions].sort()).toEqual(positions);
  });

  it("pages with an opaque cursor and returns every task exactly once while tasks are added", async () => {
    const { client, me, createTask } = setup();
    const initial: string[] = [];
    for (let i = 0; i < 120; i++) initial.push((await createTask(`t${i}`)).id);
    const seen: string[] = [];
    const added: string[] = [];
    let pageToken = "";
    do {
      const page = await client.listTasks({ pageSize: 25, pageToken }, me);
      seen.push(...page.tasks.map((t) => t.id));
      pageToken = page.nextPageToken;
      // Others keep adding while we page.
      for (let i = 0; i < 3; i++) added.push((await createTask(`new${added.length}`)).id);
    } while (pageToken !== "");
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, initial.length)).toEqual(initial);
    // Tasks appended at the end show up too, once each.
    expect(seen.slice(initial.length).every((id) => added.includes(id))).toBe(true);
  });

  it("defaults to 50 a page, allows 200 and refuses more", async () => {
    const { client, me, createTask } = setup();
    for (let i = 0; i < 55; i++) await createTask(`t${i}`);
    const first = await client.listTasks({}, me);
    expect(first.tasks).toHaveLength(50);
    expect(first.nextPageToken).not.toBe("");
    const rest = await client.listTasks({ pageToken: first.nextPageToken }, me);
    expect(rest.tasks).toHaveLength(5);
    expect(rest.nextPageToken).toBe("");
    const tooMany = await connectErrorOf(client.listTasks({ pageSize: 201 }, me));
    expect(tooMany?.code).toBe(Code.InvalidArgument);
    expect(tooMany?.rawMessage).toMatch(/^page_size:/);
  });

  it("refuses a page token used with other filters, or made up", async () => {
    const { client, me, createTask } = setup();
    for (let i = 0; i < 3; i++) await createTask(`t${i}`);
    const first = await client.listTasks({ pageSize: 1 }, me);
    const other = await connectErrorOf(
      client.listTasks(
        { pageSize: 1, completed: true, pageToken: first.nextPageToken },
        me,
      ),
    );
    expect(other?.rawMessage).toMatch(/^page_token:/);
    const junk = await connectErrorOf(client.listTasks({ pageToken: "not-a-token" }, me));
    expect(junk?.code).toBe(Code.InvalidArgument);
  });

  it("filters by completion and due window and orders by due, undated last", async () => {
    const { client, me } = setup();
    const day = 86_400_000;
    const base = Date.UTC(2032, 0, 10);
    const make = async (title: string, dayOffset: number | null, completed = false) =>
      client.createTask(
        {
          title,
          completed,
          ...(dayOffset === null
            ? {}
            : {
                due: {
                  when: { case: "time", value: timestampFromMs(base + dayOffset * day) },
                },
              }),
        },
        me,
      );
    await make("later", 5);
    await make("none", null);
    await make("soon", 1, true);
    await make("date", null);
    await client.createTask(
      { title: "day", due: { when: { case: "date", value: "2032-01-13" } } },
      me,
    );
    const byDue = await client.listTasks({ order: TaskOrder.DUE }, me);
    expect(byDue.tasks.map((t) => t.title).slice(0, 3)).toEqual(["soon", "day", "later"]);
    expect(
      byDue.tasks
        .map((t) => t.title)
        .slice(3)
        .sort(),
    ).toEqual(["date", "none"]);
    const window = await client.listTasks(
      {
        dueAfter: timestampFromMs(base + 2 * day),
        dueBefore: timestampFromMs(base + 6 * day),
        order: TaskOrder.DUE,
      },
      me,
    );
    expect(window.tasks.map((t) => t.title)).toEqual(["day", "later"]);
    const done = await client.listTasks({ completed: true }, me);
    expect(done.tasks.map((t) => t.title)).toEqual(["soon"]);
    const open = await client.listTasks(
      { completed: false, order: TaskOrder.DUE, pageSize: 2 },
      me,
    );
    const next = await client.listTasks(
      {
        completed: false,
        order: TaskOrder.DUE,
        pageSize: 2,
        pageToken: open.nextPageToken,
      },
      me,
    );
    expect([...open.tasks, ...next.tasks].map((t) => t.title).slice(0, 2)).toEqual([
      "day",
      "later",
    ]);
    expect(open.tasks.length + next.tasks.length).toBe(4);
  });

  it("creates, renames and deletes lists; deleting a list deletes its tasks", async () => {
    const { client, me, createTask, titles } = setup();
    const { list } = await client.createList({ name: "Groceries" }, me);
    await createTask("apples", list?.id);
    await createTask("pears", list?.id);
    const renamed = await client.renameList({ listId: list?.id ?? "", name: "Food" }, me);
    expect(renamed.list).toMatchObject({ name: "Food", taskCount: 2 });
    const names = (await client.listLists({}, me)).lists.map((l) => l.name);
    expect(names).toEqual(["Tasks", "Food"]);
    expect(await titles(list?.id)).toEqual(["apples", "pears"]);
    const deleted = await client.deleteList({ listId: list?.id ?? "" }, me);
    expect(deleted.deletedTasks).toBe(2);
    const gone = await connectErrorOf(client.listTasks({ listId: list?.id ?? "" }, me));
    expect(gone?.code).toBe(Code.NotFound);
    const defaultId = (await client.listLists({}, me)).lists[0]?.id ?? "";
    const keep = await connectErrorOf(client.deleteList({ listId: defaultId }, me));
    expect(keep?.code).toBe(Code.FailedPrecondition);
    const empty = await connectErrorOf(client.createList({ name: "" }, me));
    expect(empty?.rawMessage).toMatch(/^name:/);
  });

  it("refuses lists and tasks beyond the limits, naming the field", async () => {
    const { client, me, createTask } = setup({ maxListsPerUser: 2, maxTasksPerList: 3 });
    await client.createList({ name: "second" }, me);
    const thirdList = await connectErrorOf(client.createList({ name: "third" }, me));
    expect(thirdList?.code).toBe(Code.InvalidArgument);
    expect(thirdList?.rawMessage).toContain("at most 2 lists");
    for (let i = 0; i < 3; i++) await createTask(`t${i}`);
    const fourth = await connectErrorOf(client.createTask({ title: "t3" }, me));
    expect(fourth?.code).toBe(Code.InvalidArgument);
    expect(fourth?.rawMessage).toMatch(/^list_id: .*at most 3 tasks/);
    const lists = (await client.listLists({}, me)).lists;
    const target = lists.find((l) => !l.isDefault)?.id ?? "";
    for (let i = 0; i < 3; i++) await createTask(`o${i}`, target);
    const first = (await client.listTasks({}, me)).tasks[0] as Task;
    const intoFull = await connectErrorOf(
      client.moveTask(
        { taskId: first.id, target: { case: "listId", value: target } },
        me,
      ),
    );
    expect(intoFull?.rawMessage).toMatch(/^list_id:/);
  });
});
