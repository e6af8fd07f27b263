// Test fixture, not shipped: a small in-memory stand-in for the todo
// service, following todo.proto closely enough to exercise the CLI. It
// renumbers positions on a move, which the real service avoids.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  Code,
  ConnectError,
  type HandlerContext,
  type ServiceImpl,
} from "@connectrpc/connect";
import {
  type Due,
  Permission,
  type Task,
  TaskOrder,
  TaskSchema,
  type TodoService,
  type UpdateTaskRequest,
} from "@microtodo/api/todo";
import type { FakeAuth, FakeUser } from "./fake-auth.js";

interface ListRecord {
  id: string;
  ownerId: string;
  name: string;
  isDefault: boolean;
}

interface TaskRecord {
  id: string;
  listId: string;
  owner: FakeUser;
  title: string;
  notes: string;
  completed: boolean;
  due: Due | undefined;
  position: number;
  version: bigint;
  shares: Map<string, { user: FakeUser; permission: Permission }>;
}

/** The fake and what tests look at. */
export interface FakeTodo {
  readonly impl: Partial<ServiceImpl<typeof TodoService>>;
  /** Every UpdateTask request received, oldest first. */
  readonly updates: UpdateTaskRequest[];
  /** Bumps the task's version just before the next UpdateTask, as a concurrent edit would. */
  raceNextUpdate(): void;
}

/** A fresh fake that trusts the access tokens of `auth`. */
export function createFakeTodo(auth: FakeAuth): FakeTodo {
  const lists = new Map<string, ListRecord>();
  const tasks = new Map<string, TaskRecord>();
  const updates: UpdateTaskRequest[] = [];
  let race = false;
  let nextPosition = 0;
  // Sequential ids, so tests can pick prefixes shared by several tasks.
  let lastId = 0;
  const newId = (kind: "t" | "l") => `${kind}-${String(++lastId).padStart(6, "0")}`;

  const caller = (ctx: HandlerContext): FakeUser => {
    const header = ctx.requestHeader.get("authorization") ?? "";
    const user = auth.userFor(header.replace(/^Bearer /, ""));
    if (!user)
      throw new ConnectError("access token missing or not valid", Code.Unauthenticated);
    return user;
  };
  const defaultList = (user: FakeUser): ListRecord => {
    const found = [...lists.values()].find((l) => l.ownerId === user.id && l.isDefault);
    if (found) return found;
    const list = { id: newId("l"), ownerId: user.id, name: "Inbox", isDefault: true };
    lists.set(list.id, list);
    return list;
  };
  const ownList = (user: FakeUser, listId: string): ListRecord => {
    if (listId === "") return defaultList(user);
    const list = lists.get(listId);
    if (!list || list.ownerId !== user.id) throw notFound("list", listId);
    return list;
  };
  const visibleTask = (user: FakeUser, taskId: string): TaskRecord => {
    const task = tasks.get(taskId);
    if (!task || (task.owner.id !== user.id && !task.shares.has(user.id))) {
      throw notFound("task", taskId);
    }
    return task;
  };
  const ownedTask = (user: FakeUser, taskId: string): TaskRecord => {
    const task = visibleTask(user, taskId);
    if (task.owner.id !== user.id) {
      throw new ConnectError("only the owner may do this", Code.PermissionDenied);
    }
    return task;
  };
  const listMessage = (list: ListRecord) => ({
    ...list,
    taskCount: [...tasks.values()].filter((t) => t.listId === list.id).length,
  });
  const moveToEnd = (task: TaskRecord) => {
    task.position = ++nextPosition;
  };

  const impl: Partial<ServiceImpl<typeof TodoService>> = {
    createList(req, ctx) {
      const user = caller(ctx);
      defaultList(user);
      const list = { id: newId("l"), ownerId: user.id, name: req.name, isDefault: false };
      lists.set(list.id, list);
      return { list: listMessage(list) };
    },
    listLists(_req, ctx) {
      const user = caller(ctx);
      defaultList(user);
      const own = [...lists.values()].filter((l) => l.ownerId === user.id);
      return { lists: own.map(listMessage) };
    },
    renameList(req, ctx) {
      const list = ownList(caller(ctx), req.listId);
      list.name = req.name;
      return { list: listMessage(list) };
    },
    deleteList(req, ctx) {
      const list = ownList(caller(ctx), req.listId);
      if (list.isDefault) {
        throw new ConnectError(
          "the default list cannot be deleted",
          Code.FailedPrecondition,
        );
      }
      const doomed = [...tasks.values()].filter((t) => t.listId === list.id);
      for (const task of doomed) tasks.delete(task.id);
      lists.delete(list.id);
      return { deletedTasks: doomed.length };
    },
    createTask(req, ctx) {
      const user = caller(ctx);
      if (req.title === "")
        throw new ConnectError("title: 1 to 1024 characters", Code.InvalidArgument);
      const task: TaskRecord = {
        id: newId("t"),
        listId: ownList(user, req.listId).id,
        owner: user,
        title: req.title,
        notes: req.notes,
        completed: req.completed,
        due: req.due,
        position: 0,
        version: 1n,
        shares: new Map(),
      };
      moveToEnd(task);
      tasks.set(task.id, task);
      return { task: taskMessage(task, user) };
    },
    getTask(req, ctx) {
      const user = caller(ctx);
      return { task: taskMessage(visibleTask(user, req.taskId), user) };
    },
    listTasks(req, ctx) {
      const user = caller(ctx);
      let found = [...tasks.values()].filter((t) =>
        req.sharedWithMe
          ? t.shares.has(user.id)
          : t.listId === ownList(user, req.listId).id,
      );
      if (req.completed !== undefined)
        found = found.filter((t) => t.completed === req.completed);
      found.sort(req.order === TaskOrder.DUE ? byDue : (a, b) => a.position - b.position);
      return page(
        found.map((t) => taskMessage(t, user)),
        req.pageSize,
        req.pageToken,
      );
    },
    updateTask(req, ctx) {
      updates.push(req);
      const user = caller(ctx);
      const task = visibleTask(user, req.taskId);
      if (
        task.owner.id !== user.id &&
        task.shares.get(user.id)?.permission !== Permission.EDIT
      ) {
        throw new ConnectError("you may only view this task", Code.PermissionDenied);
      }
      if (race) {
        race = false;
        task.version++;
      }
      if (req.expectedVersion !== task.version) {
        throw new ConnectError(`task is at version ${task.version}`, Code.Aborted);
      }
      applyMask(task, req);
      return { task: taskMessage(task, user) };
    },
    deleteTask(req, ctx) {
      tasks.delete(ownedTask(caller(ctx), req.taskId).id);
      return {};
    },
    moveTask(req, ctx) {
      const user = caller(ctx);
      const task = ownedTask(user, req.taskId);
      const target = req.target;
      if (target.case === "listId") {
        task.listId = ownList(user, target.value).id;
        moveToEnd(task);
      } else if (target.case) {
        const other = ownedTask(user, target.value);
        task.listId = other.listId;
        const siblings = [...tasks.values()]
          .filter((t) => t.listId === other.listId && t !== task)
          .sort((a, b) => a.position - b.position);
        const at = siblings.indexOf(other) + (target.case === "afterTaskId" ? 1 : 0);
        siblings.splice(at, 0, task);
        siblings.forEach((t, i) => {
          t.position = i;
        });
      }
      task.version++;
      return { task: taskMessage(task, user) };
    },
    shareTask(req, ctx) {
      const user = caller(ctx);
      const task = ownedTask(user, req.taskId);
      const other = auth.findUser(req.username);
      if (!other) throw notFound("user", req.username);
      task.shares.set(other.id, { user: other, permission: req.permission });
      task.version++;
      return { task: taskMessage(task, user) };
    },
    unshareTask(req, ctx) {
      const user = caller(ctx);
      const task = ownedTask(user, req.taskId);
      const other = auth.findUser(req.username);
      if (other) task.shares.delete(other.id);
      task.version++;
      return { task: taskMessage(task, user) };
    },
    listSharedWithMe(req, ctx) {
      const user = caller(ctx);
      const found = [...tasks.values()].filter((t) => t.shares.has(user.id));
      return page(
        found.map((t) => taskMessage(t, user)),
        req.pageSize,
        req.pageToken,
      );
    },
  };

  return {
    impl,
    updates,
    raceNextUpdate: () => {
      race = true;
    },
  };
}

function taskMessage(task: TaskRecord, viewer: FakeUser): Task {
  const isOwner = task.owner.id === viewer.id;
  const shares = [...task.shares.values()].map((s) => ({
    userId: s.user.id,
    username: s.user.username,
    permission: s.permission,
  }));
  return create(TaskSchema, {
    id: task.id,
    listId: task.listId,
    title: task.title,
    notes: task.notes,
    completed: task.completed,
    completedAt: task.completed ? timestampFromMs(Date.now()) : undefined,
    due: task.due,
    position: String(task.position).padStart(10, "0"),
    version: task.version,
    ownerId: task.owner.id,
    ownerUsername: task.owner.username,
    shares: isOwner ? shares : [],
    callerPermission: isOwner
      ? Permission.EDIT
      : (task.shares.get(viewer.id)?.permission ?? Permission.UNSPECIFIED),
  });
}

function applyMask(task: TaskRecord, req: UpdateTaskRequest): void {
  for (const path of req.updateMask?.paths ?? []) {
    if (path === "title") task.title = req.task?.title ?? "";
    else if (path === "notes") task.notes = req.task?.notes ?? "";
    else if (path === "completed") task.completed = req.task?.completed ?? false;
    else if (path === "due") task.due = req.task?.due;
    else
      throw new ConnectError(`update_mask: unknown path ${path}`, Code.InvalidArgument);
  }
  task.version++;
}

function page(all: Task[], pageSize: number, pageToken: string) {
  if (pageSize > 200) throw new ConnectError("page_size: 1 to 200", Code.InvalidArgument);
  const size = pageSize || 50;
  const start = Number(pageToken || "0");
  const end = start + size;
  return {
    tasks: all.slice(start, end),
    nextPageToken: end < all.length ? String(end) : "",
  };
}

function byDue(a: TaskRecord, b: TaskRecord): number {
  return dueKey(a).localeCompare(dueKey(b));
}

function dueKey(task: TaskRecord): string {
  const when = task.due?.when;
  if (when?.case === "date") return when.value;
  if (when?.case === "time") {
    return new Date(Number(when.value.seconds) * 1000).toISOString();
  }
  return "~";
}

function notFound(what: string, id: string): ConnectError {
  return new ConnectError(`${what} ${id} not found`, Code.NotFound);
}
