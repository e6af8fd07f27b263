import { create } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  CreateListResponseSchema,
  CreateTaskResponseSchema,
  DeleteListResponseSchema,
  DeleteTaskResponseSchema,
  GetTaskResponseSchema,
  ListListsResponseSchema,
  ListSharedWithMeResponseSchema,
  ListTasksResponseSchema,
  type MoveTaskRequest,
  MoveTaskResponseSchema,
  RenameListResponseSchema,
  ShareTaskResponseSchema,
  TaskOrder,
  type TodoService,
  UnshareTaskResponseSchema,
  type UpdateTaskRequest,
  UpdateTaskResponseSchema,
} from "@microtodo/api/todo";
import type { TokenVerifier } from "@microtodo/kit";
import { authenticateCaller } from "../auth/authenticate-caller.js";
import { invalidArgument } from "../domain/todo-errors.js";
import type { MoveTarget, TaskPatch } from "../operations/task-operations.js";
import type { TodoOperations } from "../operations/todo-operations.js";
import { dueInput, listMessage, sharePermission, taskMessage } from "./task-message.js";

/** What the TodoService handlers need. */
export interface TodoServiceDeps {
  readonly operations: TodoOperations;
  readonly verifier: TokenVerifier;
}

/** The TodoService handlers; register them on a ConnectRouter. */
export function createTodoService(
  deps: TodoServiceDeps,
): ServiceImpl<typeof TodoService> {
  const { operations: ops } = deps;
  const caller = (ctx: HandlerContext) =>
    authenticateCaller(deps.verifier, ctx.requestHeader.get("authorization"));
  return {
    async createList(req, ctx) {
      const list = await ops.createList(await caller(ctx), req.name);
      return create(CreateListResponseSchema, { list: listMessage(list) });
    },
    async listLists(_req, ctx) {
      const lists = await ops.listLists(await caller(ctx));
      return create(ListListsResponseSchema, { lists: lists.map(listMessage) });
    },
    async renameList(req, ctx) {
      const list = await ops.renameList(await caller(ctx), req.listId, req.name);
      return create(RenameListResponseSchema, { list: listMessage(list) });
    },
    async deleteList(req, ctx) {
      const deletedTasks = await ops.deleteList(await caller(ctx), req.listId);
      return create(DeleteListResponseSchema, { deletedTasks });
    },
    async createTask(req, ctx) {
      const who = await caller(ctx);
      const task = await ops.createTask(who, {
        listId: req.listId,
        title: req.title,
        notes: req.notes,
        due: dueInput(req.due),
        completed: req.completed,
      });
      return create(CreateTaskResponseSchema, { task: taskMessage(task, who.userId) });
    },
    async getTask(req, ctx) {
      const who = await caller(ctx);
      const task = await ops.getTask(who, req.taskId);
      return create(GetTaskResponseSchema, { task: taskMessage(task, who.userId) });
    },
    async listTasks(req, ctx) {
      const who = await caller(ctx);
      const page = await ops.listTasks(who, {
        listId: req.listId,
        ...(req.completed !== undefined ? { completed: req.completed } : {}),
        ...(req.dueBefore ? { dueBeforeMs: timestampMs(req.dueBefore) } : {}),
        ...(req.dueAfter ? { dueAfterMs: timestampMs(req.dueAfter) } : {}),
        sharedWithMe: req.sharedWithMe,
        order: orderKey(req.order),
        pageSize: req.pageSize,
        pageToken: req.pageToken,
      });
      return create(ListTasksResponseSchema, {
        tasks: page.tasks.map((task) => taskMessage(task, who.userId)),
        nextPageToken: page.nextPageToken,
      });
    },
    async updateTask(req, ctx) {
      const who = await caller(ctx);
      if (req.expectedVersion === 0n) {
        throw invalidArgument(
          "expected_version",
          "required: send the version you last read",
        );
      }
      const task = await ops.updateTask(
        who,
        req.taskId,
        patchOf(req),
        Number(req.expectedVersion),
      );
      return create(UpdateTaskResponseSchema, { task: taskMessage(task, who.userId) });
    },
    async deleteTask(req, ctx) {
      await ops.deleteTask(await caller(ctx), req.taskId, Number(req.expectedVersion));
      return create(DeleteTaskResponseSchema, {});
    },
    async moveTask(req, ctx) {
      const who = await caller(ctx);
      const task = await ops.moveTask(who, req.taskId, moveTarget(req));
      return create(MoveTaskResponseSchema, { task: taskMessage(task, who.userId) });
    },
    async shareTask(req, ctx) {
      const who = await caller(ctx);
      const permission = sharePermission(req.permission);
      if (!permission) {
        throw invalidArgument("permission", "must be PERMISSION_VIEW or PERMISSION_EDIT");
      }
      const task = await ops.shareTask(who, req.taskId, req.username, permission);
      return create(ShareTaskResponseSchema, { task: taskMessage(task, who.userId) });
    },
    async unshareTask(req, ctx) {
      const who = await caller(ctx);
      const task = await ops.unshareTask(who, req.taskId, req.username);
      return create(UnshareTaskResponseSchema, { task: taskMessage(task, who.userId) });
    },
    async listSharedWithMe(req, ctx) {
      const who = await caller(ctx);
      const page = await ops.listTasks(who, {
        listId: "",
        sharedWithMe: true,
        order: "position",
        pageSize: req.pageSize,
        pageToken: req.pageToken,
      });
      return create(ListSharedWithMeResponseSchema, {
        tasks: page.tasks.map((task) => taskMessage(task, who.userId)),
        nextPageToken: page.nextPageToken,
      });
    },
  };
}

const MASKABLE = new Set(["title", "notes", "completed", "due"]);

function patchOf(req: UpdateTaskRequest): TaskPatch {
  const paths = req.updateMask?.paths ?? [];
  if (paths.length === 0) {
    throw invalidArgument(
      "update_mask",
      "name at least one of title, notes, completed, due",
    );
  }
  for (const path of paths) {
    if (!MASKABLE.has(path)) {
      throw invalidArgument(
        "update_mask",
        `unknown path "${path}"; use title, notes, completed, due`,
      );
    }
  }
  const has = (path: string) => paths.includes(path);
  const task = req.task;
  return {
    ...(has("title") ? { title: task?.title ?? "" } : {}),
    ...(has("notes") ? { notes: task?.notes ?? "" } : {}),
    ...(has("completed") ? { completed: task?.completed ?? false } : {}),
    ...(has("due") ? { due: dueInput(task?.due) } : {}),
  };
}

function moveTarget(req: MoveTaskRequest): MoveTarget {
  switch (req.target.case) {
    case "beforeTaskId":
      return { kind: "before", taskId: req.target.value };
    case "afterTaskId":
      return { kind: "after", taskId: req.target.value };
    case "listId":
      return { kind: "list", listId: req.target.value };
    default:
      throw invalidArgument(
        "target",
        "set one of before_task_id, after_task_id, list_id",
      );
  }
}

function orderKey(order: TaskOrder): "position" | "due" {
  if (order === TaskOrder.UNSPECIFIED || order === TaskOrder.POSITION) return "position";
  if (order === TaskOrder.DUE) return "due";
  throw invalidArgument("order", `unknown order ${order}`);
}
