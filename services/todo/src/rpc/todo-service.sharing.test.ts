import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { Permission, TaskSchema } from "@microtodo/api/todo";
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

describe.each(env.backends)("TodoService access and sharing ($name)", (backend) => {
  function setup() {
    const harness = createTodoHarness(backend, identity);
    const { client, as, users } = harness;
    const createTask = async (title = "Buy milk", user = users.alice) =>
      (await client.createTask({ title }, as(user))).task ?? expect.fail("no task");
    return { ...harness, createTask };
  }

  it("refuses calls without a token or with a forged one", async () => {
    const { client, createTask } = setup();
    const task = await createTask();
    const missing = await connectErrorOf(client.getTask({ taskId: task.id }));
    expect(missing?.code).toBe(Code.Unauthenticated);
    const forged = await connectErrorOf(
      client.getTask(
        { taskId: task.id },
        { headers: { authorization: "Bearer abc.def.ghi" } },
      ),
    );
    expect(forged?.code).toBe(Code.Unauthenticated);
    const stranger = await (await createHarnessIdentity()).issuer.user("alice");
    const otherKey = await connectErrorOf(
      client.getTask(
        { taskId: task.id },
        { headers: { authorization: `Bearer ${stranger.token}` } },
      ),
    );
    expect(otherKey?.code).toBe(Code.Unauthenticated);
  });

  it("keeps two users from seeing or touching each other's tasks", async () => {
    const { client, as, users, createTask } = setup();
    const task = await createTask("alice's secret");
    const asBob = as(users.bob);
    const calls = [
      client.getTask({ taskId: task.id }, asBob),
      client.updateTask(
        {
          taskId: task.id,
          task: { title: "x" },
          updateMask: mask("title"),
          expectedVersion: 1n,
        },
        asBob,
      ),
      client.deleteTask({ taskId: task.id }, asBob),
      client.moveTask({ taskId: task.id, target: { case: "listId", value: "" } }, asBob),
      client.shareTask(
        { taskId: task.id, username: "bob", permission: Permission.EDIT },
        asBob,
      ),
      client.unshareTask({ taskId: task.id, username: "carol" }, asBob),
      client.listTasks({ listId: task.listId }, asBob),
    ];
    for (const call of calls) {
      const err = await connectErrorOf(call);
      expect(err?.code).toBe(Code.NotFound);
    }
    const listCalls = [
      client.renameList({ listId: task.listId, name: "mine now" }, asBob),
      client.deleteList({ listId: task.listId }, asBob),
      client.createTask({ listId: task.listId, title: "sneaky" }, asBob),
    ];
    for (const call of listCalls) {
      expect((await connectErrorOf(call))?.code).toBe(Code.NotFound);
    }
    const bobs = await client.listTasks({}, asBob);
    expect(bobs.tasks).toEqual([]);
    const shared = await client.listSharedWithMe({}, asBob);
    expect(shared.tasks).toEqual([]);
    // A task id that does not exist at all looks the same.
    const unknown = await connectErrorOf(
      client.getTask({ taskId: crypto.randomUUID() }, asBob),
    );
    expect(unknown?.code).toBe(Code.NotFound);
    expect(unknown?.rawMessage).toBe(
      (await connectErrorOf(calls[0] as Promise<unknown>))?.rawMessage,
    );
  });

  it("lets a viewer read a shared task but not change it", async () => {
    const { client, as, users, createTask } = setup();
    const task = await createTask();
    await client.shareTask(
      { taskId: task.id, username: "bob", permission: Permission.VIEW },
      as(users.alice),
    );
    const seen = (await client.getTask({ taskId: task.id }, as(users.bob))).task;
    expect(seen?.title).toBe("Buy milk");
    expect(seen?.callerPermission).toBe(Permission.VIEW);
    expect(seen?.shares).toEqual([]);
    const edit = await connectErrorOf(
      client.updateTask(
        {
          taskId: task.id,
          task: { completed: true },
          updateMask: mask("completed"),
          expectedVersion: 2n,
        },
        as(users.bob),
      ),
    );
    expect(edit?.code).toBe(Code.PermissionDenied);
    const move = await connectErrorOf(
      client.moveTask(
        { taskId: task.id, target: { case: "listId", value: task.listId } },
        as(users.bob),
      ),
    );
    expect(move?.code).toBe(Code.PermissionDenied);
    const after = (await client.getTask({ taskId: task.id }, as(users.alice))).task;
    expect(after?.completed).toBe(false);
    expect(after?.shares.map((s) => [s.username, s.permission])).toEqual([
      ["bob", Permission.VIEW],
    ]);
  });

  it("lets an editor change fields and completion but not delete, share or move it away", async () => {
    const { client, as, users, createTask } = setup();
    const task = await createTask();
    const shared = await client.shareTask(
      { taskId: task.id, username: "BOB", permission: Permission.EDIT },
      as(users.alice),
    );
    const asBob = as(users.bob);
    const updated = await client.updateTask(
      {
        taskId: task.id,
        task: create(TaskSchema, { title: "Buy oat milk", completed: true }),
        updateMask: mask("title", "completed"),
        expectedVersion: shared.task?.version ?? 0n,
      },
      asBob,
    );
    expect(updated.task).toMatchObject({ title: "Buy oat milk", completed: true });
    expect(updated.task?.completedAt).toBeDefined();
    expect(updated.task?.callerPermission).toBe(Permission.EDIT);
    const denied = [
      client.deleteTask({ taskId: task.id }, asBob),
      client.shareTask(
        { taskId: task.id, username: "carol", permission: Permission.VIEW },
        asBob,
      ),
      client.unshareTask({ taskId: task.id, username: "bob" }, asBob),
      client.moveTask({ taskId: task.id, target: { case: "listId", value: "" } }, asBob),
    ];
    for (const call of denied) {
      expect((await connectErrorOf(call))?.code).toBe(Code.PermissionDenied);
    }
    const bobsList = await client.createList({ name: "Bob's" }, asBob);
    const away = await connectErrorOf(
      client.moveTask(
        { taskId: task.id, target: { case: "listId", value: bobsList.list?.id ?? "" } },
        asBob,
      ),
    );
    expect(away?.code).toBe(Code.PermissionDenied);
    expect(
      (await client.getTask({ taskId: task.id }, as(users.alice))).task?.listId,
    ).toBe(task.listId);
  });

  it("lets an editor reorder the task among others shared with them in the same list", async () => {
    const { client, as, users, createTask } = setup();
    const first = await createTask("first");
    const second = await createTask("second");
    for (const task of [first, second]) {
      await client.shareTask(
        { taskId: task.id, username: "bob", permission: Permission.EDIT },
        as(users.alice),
      );
    }
    await client.moveTask(
      { taskId: second.id, target: { case: "beforeTaskId", value: first.id } },
      as(users.bob),
    );
    const order = await client.listTasks({}, as(users.alice));
    expect(order.tasks.map((t) => t.title)).toEqual(["second", "first"]);
  });

  it("removes access at once when a task is unshared", async () => {
    const { client, as, users, createTask } = setup();
    const task = await createTask();
    await client.shareTask(
      { taskId: task.id, username: "bob", permission: Permission.EDIT },
      as(users.alice),
    );
    expect((await client.getTask({ taskId: task.id }, as(users.bob))).task?.id).toBe(
      task.id,
    );
    const unshared = await client.unshareTask(
      { taskId: task.id, username: "bob" },
      as(users.alice),
    );
    expect(unshared.task?.shares).toEqual([]);
    const gone = await connectErrorOf(client.getTask({ taskId: task.id }, as(users.bob)));
    expect(gone?.code).toBe(Code.NotFound);
    expect((await client.listSharedWithMe({}, as(users.bob))).tasks).toEqual([]);
    // Unsharing again is a no-op; an unknown user is NOT_FOUND.
    await client.unshareTask({ taskId: task.id, username: "bob" }, as(users.alice));
    const unknown = await connectErrorOf(
      client.unshareTask({ taskId: task.id, username: "nobody" }, as(users.alice)),
    );
    expect(unknown?.code).toBe(Code.NotFound);
  });

  it("refuses sharing with an unknown user, with the owner, or without a permission", async () => {
    const { client, as, users, createTask } = setup();
    const task = await createTask();
    const share = (username: string, permission = Permission.VIEW) =>
      connectErrorOf(
        client.shareTask({ taskId: task.id, username, permission }, as(users.alice)),
      );
    const unknown = await share("nobody");
    expect(unknown?.code).toBe(Code.NotFound);
    expect(unknown?.rawMessage).toMatch(/^username:/);
    const self = await share("alice");
    expect(self?.code).toBe(Code.InvalidArgument);
    const noPermission = await share("bob", Permission.UNSPECIFIED);
    expect(noPermission?.code).toBe(Code.InvalidArgument);
    expect(noPermission?.rawMessage).toMatch(/^permission:/);
  });

  it("changes the permission of an existing share instead of adding another", async () => {
    const { client, as, users, createTask } = setup();
    const task = await createTask();
    const share = (permission: Permission) =>
      client.shareTask({ taskId: task.id, username: "bob", permission }, as(users.alice));
    await share(Permission.VIEW);
    const upgraded = await share(Permission.EDIT);
    expect(upgraded.task?.shares.map((s) => s.permission)).toEqual([Permission.EDIT]);
  });

  it("refuses more shares than the per-task limit, naming the field", async () => {
    const extra = await identity.issuer.user("dave");
    const harness = createTodoHarness(backend, identity, { maxSharesPerTask: 2 }, [
      extra,
    ]);
    const { client, as, users } = harness;
    const task = (await client.createTask({ title: "t" }, as(users.alice))).task;
    const share = (username: string) =>
      client.shareTask(
        { taskId: task?.id ?? "", username, permission: Permission.VIEW },
        as(users.alice),
      );
    await share("bob");
    await share("carol");
    const third = await connectErrorOf(share("dave"));
    expect(third?.code).toBe(Code.InvalidArgument);
    expect(third?.rawMessage).toContain("at most 2");
    // Re-sharing with someone already there is not a new share.
    await share("bob");
  });

  it("lists what others shared with me, from several owners, and only that", async () => {
    const { client, as, users, createTask } = setup();
    const fromAlice = await createTask("from alice", users.alice);
    const fromBob = await createTask("from bob", users.bob);
    await createTask("carol's own", users.carol);
    await client.shareTask(
      { taskId: fromAlice.id, username: "carol", permission: Permission.VIEW },
      as(users.alice),
    );
    await client.shareTask(
      { taskId: fromBob.id, username: "carol", permission: Permission.EDIT },
      as(users.bob),
    );
    const shared = await client.listSharedWithMe({}, as(users.carol));
    expect(shared.tasks.map((t) => t.title).sort()).toEqual(["from alice", "from bob"]);
    const viaList = await client.listTasks({ sharedWithMe: true }, as(users.carol));
    expect(viaList.tasks.map((t) => t.id).sort()).toEqual(
      shared.tasks.map((t) => t.id).sort(),
    );
    const own = await client.listTasks({}, as(users.carol));
    expect(own.tasks.map((t) => t.title)).toEqual(["carol's own"]);
  });

  it("lets only the owner delete a task, checking the version when one is given", async () => {
    const { client, as, users, createTask } = setup();
    const task = await createTask();
    const stale = await connectErrorOf(
      client.deleteTask({ taskId: task.id, expectedVersion: 9n }, as(users.alice)),
    );
    expect(stale?.code).toBe(Code.Aborted);
    await client.deleteTask({ taskId: task.id, expectedVersion: 1n }, as(users.alice));
    const gone = await connectErrorOf(
      client.getTask({ taskId: task.id }, as(users.alice)),
    );
    expect(gone?.code).toBe(Code.NotFound);
  });
});
