import { dueSortKey, instantKey } from "../domain/due.js";
import {
  decodePageToken,
  encodePageToken,
  queryFingerprint,
} from "../domain/page-token.js";
import { accessOf, canEdit, type TaskAccess } from "../domain/task-access.js";
import {
  checkDue,
  checkId,
  checkNotes,
  checkTitle,
  type DueInput,
} from "../domain/task-fields.js";
import {
  aborted,
  invalidArgument,
  listNotFound,
  permissionDenied,
  taskNotFound,
} from "../domain/todo-errors.js";
import type {
  AppendResult,
  PutResult,
  StoredTask,
  TaskOrderKey,
  TaskScope,
  UnplacedTask,
} from "../store/todo-store.js";
import type { ListOperations } from "./list-operations.js";
import {
  type Caller,
  type OperationContext,
  RETRY,
  withRetries,
} from "./operation-context.js";
import { findSlot, type Placement } from "./placement.js";

/** A task to create. */
export interface NewTaskInput {
  /** Empty: the caller's default list. */
  readonly listId: string;
  readonly title: string;
  readonly notes?: string;
  readonly due?: DueInput | null;
  readonly completed?: boolean;
  /** 1-based rank to insert at; absent: at the end. */
  readonly rank?: number;
}

/** The fields an update changes; an absent field stays as it is. */
export interface TaskPatch {
  readonly title?: string;
  readonly notes?: string;
  readonly completed?: boolean;
  /** null clears the due date. */
  readonly due?: DueInput | null;
}

/** Where MoveTask puts a task. */
export type MoveTarget =
  | { readonly kind: "before" | "after"; readonly taskId: string }
  | { readonly kind: "list"; readonly listId: string }
  /** 1-based rank in the task's own list (the REST facade's `order`). */
  | { readonly kind: "rank"; readonly rank: number };

/** A ListTasks request in domain terms. */
export interface ListTasksInput {
  readonly listId: string;
  readonly completed?: boolean;
  readonly dueBeforeMs?: number;
  readonly dueAfterMs?: number;
  readonly sharedWithMe: boolean;
  readonly order: TaskOrderKey;
  /** 0: the default page size. */
  readonly pageSize: number;
  readonly pageToken: string;
}

/** One page of tasks; nextPageToken is empty on the last page. */
export interface TaskPage {
  readonly tasks: StoredTask[];
  readonly nextPageToken: string;
}

/** Operations on tasks. Every method hides tasks the caller may not see as NOT_FOUND. */
export interface TaskOperations {
  createTask(caller: Caller, input: NewTaskInput): Promise<StoredTask>;
  getTask(caller: Caller, taskId: string): Promise<StoredTask>;
  listTasks(caller: Caller, input: ListTasksInput): Promise<TaskPage>;
  /** Every task of the caller's default list, in position order. */
  listDefaultListTasks(caller: Caller): Promise<StoredTask[]>;
  /**
   * Applies a patch if the task is still at `expectedVersion`; undefined
   * applies it to whatever version is current (the REST facade).
   */
  updateTask(
    caller: Caller,
    taskId: string,
    patch: TaskPatch,
    expectedVersion: number | undefined,
  ): Promise<StoredTask>;
  /** Owner only; `expectedVersion` 0 deletes whatever the version. */
  deleteTask(caller: Caller, taskId: string, expectedVersion: number): Promise<void>;
  moveTask(caller: Caller, taskId: string, target: MoveTarget): Promise<StoredTask>;
  /** The task's 1-based rank in its list. */
  rankOf(task: StoredTask): Promise<number>;
  /** The task and the caller's access to it; NOT_FOUND when it has none. */
  visibleTask(
    caller: Caller,
    taskId: string,
    field?: string,
  ): Promise<{ task: StoredTask; access: TaskAccess }>;
}

/** Builds the task operations; lists resolve default and owned lists. */
export function createTaskOperations(
  context: OperationContext,
  lists: ListOperations,
): TaskOperations {
  const visibleTask = async (caller: Caller, taskId: string, field = "task_id") => {
    const task = await context.store.getTask(checkId(taskId, field));
    const access = task ? accessOf(task, caller.userId) : "none";
    if (!task || access === "none") throw taskNotFound(field);
    return { task, access };
  };
  const deps: TaskDeps = { context, lists, visibleTask };
  return {
    visibleTask,
    createTask: (caller, input) => createTask(context, lists, caller, input),
    getTask: async (caller, taskId) => (await visibleTask(caller, taskId)).task,
    listTasks: (caller, input) => listTasks(context, lists, caller, input),
    listDefaultListTasks: (caller) => listDefaultListTasks(context, lists, caller),
    updateTask: (caller, taskId, patch, version) =>
      updateTask(deps, caller, taskId, patch, version),
    deleteTask: (caller, taskId, version) => deleteTask(deps, caller, taskId, version),
    moveTask: (caller, taskId, target) => moveTask(deps, caller, taskId, target),
    rankOf: async (task) =>
      (await context.store.countBefore(task.listId, task.position)) + 1,
  };
}

/** What the task operations below share. */
interface TaskDeps {
  readonly context: OperationContext;
  readonly lists: ListOperations;
  readonly visibleTask: TaskOperations["visibleTask"];
}

async function listDefaultListTasks(
  context: OperationContext,
  lists: ListOperations,
  caller: Caller,
): Promise<StoredTask[]> {
  const listId = await lists.defaultListId(caller);
  const pageSize = context.limits.maxPageSize;
  const tasks: StoredTask[] = [];
  for (;;) {
    const last = tasks.at(-1);
    const page = await context.store.listTasks({
      scope: { kind: "list", listId },
      order: "position",
      ...(last ? { after: { key: last.position, id: last.id } } : {}),
      limit: pageSize,
    });
    tasks.push(...page);
    if (page.length < pageSize) return tasks;
  }
}

function updateTask(
  deps: TaskDeps,
  caller: Caller,
  taskId: string,
  patch: TaskPatch,
  expectedVersion: number | undefined,
): Promise<StoredTask> {
  const { context } = deps;
  const checked = checkPatch(patch, context);
  return withRetries("task_id", async () => {
    const { task, access } = await deps.visibleTask(caller, taskId);
    if (!canEdit(access)) throw viewOnly();
    if (expectedVersion !== undefined && task.version !== expectedVersion) {
      throw staleVersion(task.version, expectedVersion);
    }
    const next = applyPatch(task, checked, context.nowMs());
    const result = await context.store.putTask(next, {
      expectedVersion: task.version,
      maxTasksPerList: context.limits.maxTasksPerList,
    });
    if (result.ok) return next;
    // Someone wrote after our read: the client's version is stale too.
    if (expectedVersion !== undefined)
      throw staleVersion(task.version + 1, expectedVersion);
    return RETRY;
  });
}

async function deleteTask(
  deps: TaskDeps,
  caller: Caller,
  taskId: string,
  expectedVersion: number,
): Promise<void> {
  const { task, access } = await deps.visibleTask(caller, taskId);
  if (access !== "owner")
    throw permissionDenied("task_id", "only the owner deletes a task");
  if (expectedVersion !== 0 && task.version !== expectedVersion) {
    throw staleVersion(task.version, expectedVersion);
  }
  const outcome = await deps.context.store.deleteTask(task.id, expectedVersion);
  if (outcome === "missing") throw taskNotFound();
  if (outcome === "stale") throw staleVersion(task.version + 1, expectedVersion);
}

function moveTask(
  deps: TaskDeps,
  caller: Caller,
  taskId: string,
  target: MoveTarget,
): Promise<StoredTask> {
  const { context } = deps;
  const maxTasksPerList = context.limits.maxTasksPerList;
  return withRetries("task_id", async () => {
    const { task, access } = await deps.visibleTask(caller, taskId);
    if (!canEdit(access)) throw viewOnly();
    const placement = await resolveMoveTarget(deps, caller, task, access, target);
    const slot = await findSlot(context.store, placement, {
      taskId: task.id,
      current: { taskId: task.id, listId: task.listId, position: task.position },
    });
    if (!slot) return RETRY;
    const next: StoredTask = {
      ...task,
      listId: placement.listId,
      position: slot.position,
      version: task.version + 1,
      updatedAtMs: context.nowMs(),
    };
    const condition = { expectedVersion: task.version, gap: slot.gap, maxTasksPerList };
    const result = await context.store.putTask(next, condition);
    if (result.ok) return next;
    throwIfFull(result, maxTasksPerList, target.kind === "list" ? "list_id" : "task_id");
    return RETRY;
  });
}

/** A new task's fields, checked. */
interface NewTaskFields {
  readonly title: string;
  readonly notes: string;
  readonly due: ReturnType<typeof checkDue>;
  readonly completed: boolean;
}

async function createTask(
  context: OperationContext,
  lists: ListOperations,
  caller: Caller,
  input: NewTaskInput,
): Promise<StoredTask> {
  const { limits } = context;
  const fields: NewTaskFields = {
    title: checkTitle(input.title, limits),
    notes: checkNotes(input.notes ?? "", limits),
    due: checkDue(input.due),
    completed: input.completed === true,
  };
  if (input.rank !== undefined) {
    const listId = await lists.ownedListId(caller, input.listId);
    return insertAtRank(context, caller, listId, fields, input.rank);
  }
  // appendTask checks that the caller owns the list, so a named list needs
  // no read of its own here; the default list's id is cached.
  const listId =
    input.listId === ""
      ? await lists.defaultListId(caller)
      : checkId(input.listId, "list_id");
  return appendTask(context, caller, listId, fields);
}

function appendTask(
  context: OperationContext,
  caller: Caller,
  listId: string,
  fields: NewTaskFields,
): Promise<StoredTask> {
  const maxTasksPerList = context.limits.maxTasksPerList;
  return withRetries("list_id", async () => {
    const task = unplacedTask(context, caller, listId, fields);
    const result = await context.store.appendTask(task, maxTasksPerList);
    if (result.ok) return { ...task, position: result.position };
    throwIfFull(result, maxTasksPerList, "list_id");
    if (result.reason === "list_missing") throw listNotFound();
    return RETRY;
  });
}

function insertAtRank(
  context: OperationContext,
  caller: Caller,
  listId: string,
  fields: NewTaskFields,
  rank: number,
): Promise<StoredTask> {
  const maxTasksPerList = context.limits.maxTasksPerList;
  return withRetries("list_id", async () => {
    const unplaced = unplacedTask(context, caller, listId, fields);
    const placement: Placement = { kind: "rank", listId, rank };
    const slot = await findSlot(context.store, placement, { taskId: unplaced.id });
    if (!slot) return RETRY;
    const task: StoredTask = { ...unplaced, position: slot.position };
    const result = await context.store.putTask(task, {
      expectedVersion: 0,
      gap: slot.gap,
      maxTasksPerList,
    });
    if (result.ok) return task;
    throwIfFull(result, maxTasksPerList, "list_id");
    if (result.reason === "list_missing") throw listNotFound();
    return RETRY;
  });
}

function unplacedTask(
  context: OperationContext,
  caller: Caller,
  listId: string,
  fields: NewTaskFields,
): UnplacedTask {
  const now = context.nowMs();
  return {
    id: context.newId(),
    listId,
    ownerId: caller.userId,
    ownerUsername: caller.username,
    title: fields.title,
    notes: fields.notes,
    completed: fields.completed,
    completedAtMs: fields.completed ? now : null,
    due: fields.due,
    dueKey: dueSortKey(fields.due),
    createdAtMs: now,
    updatedAtMs: now,
    version: 1,
    shares: [],
  };
}

async function listTasks(
  context: OperationContext,
  lists: ListOperations,
  caller: Caller,
  input: ListTasksInput,
): Promise<TaskPage> {
  const { limits } = context;
  if (input.pageSize > limits.maxPageSize) {
    throw invalidArgument(
      "page_size",
      `at most ${limits.maxPageSize} (got ${input.pageSize})`,
    );
  }
  const pageSize = input.pageSize === 0 ? limits.defaultPageSize : input.pageSize;
  const scope: TaskScope = input.sharedWithMe
    ? {
        kind: "shared",
        userId: caller.userId,
        ...(input.listId ? { listId: input.listId } : {}),
      }
    : { kind: "list", listId: await lists.ownedListId(caller, input.listId) };
  const fingerprint = queryFingerprint([
    caller.userId,
    scope,
    input.order,
    input.completed ?? null,
    input.dueBeforeMs ?? null,
    input.dueAfterMs ?? null,
  ]);
  const after = input.pageToken
    ? decodePageToken(input.pageToken, fingerprint)
    : undefined;
  const rows = await context.store.listTasks({
    scope,
    order: input.order,
    ...(input.completed !== undefined ? { completed: input.completed } : {}),
    ...(input.dueBeforeMs !== undefined
      ? { dueBeforeKey: instantKey(input.dueBeforeMs) }
      : {}),
    ...(input.dueAfterMs !== undefined
      ? { dueAtOrAfterKey: instantKey(input.dueAfterMs) }
      : {}),
    ...(after ? { after } : {}),
    limit: pageSize + 1,
  });
  const tasks = rows.slice(0, pageSize);
  const last = tasks.at(-1);
  const nextPageToken =
    rows.length > pageSize && last
      ? encodePageToken(
          { key: input.order === "position" ? last.position : last.dueKey, id: last.id },
          fingerprint,
        )
      : "";
  return { tasks, nextPageToken };
}

async function resolveMoveTarget(
  { context, lists }: TaskDeps,
  caller: Caller,
  task: StoredTask,
  access: TaskAccess,
  target: MoveTarget,
): Promise<Placement> {
  const toOtherList = (listId: string, field: string) => {
    if (listId !== task.listId && access !== "owner") {
      throw permissionDenied(field, "only the owner moves a task to another list");
    }
  };
  switch (target.kind) {
    case "rank":
      return { kind: "rank", listId: task.listId, rank: target.rank };
    case "list": {
      if (target.listId === task.listId) return { kind: "end", listId: task.listId };
      toOtherList(target.listId, "list_id");
      return { kind: "end", listId: await lists.ownedListId(caller, target.listId) };
    }
    case "before":
    case "after": {
      const field = `${target.kind}_task_id`;
      if (target.taskId === task.id)
        throw invalidArgument(field, "cannot place a task next to itself");
      const anchor = await context.store.getTask(checkId(target.taskId, field));
      if (!anchor || accessOf(anchor, caller.userId) === "none")
        throw taskNotFound(field);
      toOtherList(anchor.listId, field);
      if (anchor.ownerId !== caller.userId && anchor.listId !== task.listId) {
        throw permissionDenied(field, "that task is in a list you do not own");
      }
      const ref = { taskId: anchor.id, position: anchor.position };
      return { kind: target.kind, listId: anchor.listId, anchor: ref };
    }
  }
}

interface CheckedPatch {
  readonly title?: string;
  readonly notes?: string;
  readonly completed?: boolean;
  readonly due?: ReturnType<typeof checkDue>;
}

function checkPatch(patch: TaskPatch, context: OperationContext): CheckedPatch {
  return {
    ...(patch.title !== undefined
      ? { title: checkTitle(patch.title, context.limits) }
      : {}),
    ...(patch.notes !== undefined
      ? { notes: checkNotes(patch.notes, context.limits) }
      : {}),
    ...(patch.completed !== undefined ? { completed: patch.completed } : {}),
    ...(patch.due !== undefined ? { due: checkDue(patch.due) } : {}),
  };
}

function applyPatch(task: StoredTask, patch: CheckedPatch, nowMs: number): StoredTask {
  const completed = patch.completed ?? task.completed;
  const due = patch.due === undefined ? task.due : patch.due;
  return {
    ...task,
    title: patch.title ?? task.title,
    notes: patch.notes ?? task.notes,
    completed,
    // Completing stamps the time once; reopening clears it.
    completedAtMs: completed ? (task.completed ? task.completedAtMs : nowMs) : null,
    due,
    dueKey: dueSortKey(due),
    updatedAtMs: nowMs,
    version: task.version + 1,
  };
}

function viewOnly() {
  return permissionDenied("task_id", "the task is shared with you for viewing only");
}

function staleVersion(currentVersion: number, expectedVersion: number) {
  return aborted(
    "expected_version",
    `the task changed (now at version ${currentVersion}, you sent ${expectedVersion}); ` +
      "read it again and retry",
  );
}

function throwIfFull(
  result: PutResult | AppendResult,
  maxTasksPerList: number,
  field: string,
): void {
  if (!result.ok && result.reason === "list_full") {
    throw invalidArgument(field, `a list holds at most ${maxTasksPerList} tasks`);
  }
}
