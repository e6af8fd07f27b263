import { create } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import {
  type Due,
  DueSchema,
  Permission,
  type Share,
  ShareSchema,
  type Task,
  type TaskList,
  TaskListSchema,
  TaskSchema,
} from "@microtodo/api/todo";
import { accessOf } from "../domain/task-access.js";
import type { DueInput } from "../domain/task-fields.js";
import type {
  CountedList,
  SharePermission,
  StoredDue,
  StoredShare,
  StoredTask,
} from "../store/todo-store.js";

const permissionOfAccess = {
  owner: Permission.EDIT,
  edit: Permission.EDIT,
  view: Permission.VIEW,
  none: Permission.UNSPECIFIED,
} as const;

/** The Task message as `callerId` sees it: shares only for the owner. */
export function taskMessage(task: StoredTask, callerId: string): Task {
  const access = accessOf(task, callerId);
  return create(TaskSchema, {
    id: task.id,
    listId: task.listId,
    title: task.title,
    notes: task.notes,
    completed: task.completed,
    ...(task.completedAtMs !== null
      ? { completedAt: timestampFromMs(task.completedAtMs) }
      : {}),
    ...(task.due !== null ? { due: dueMessage(task.due) } : {}),
    position: task.position,
    createdAt: timestampFromMs(task.createdAtMs),
    updatedAt: timestampFromMs(task.updatedAtMs),
    version: BigInt(task.version),
    ownerId: task.ownerId,
    ownerUsername: task.ownerUsername,
    shares: access === "owner" ? task.shares.map(shareMessage) : [],
    callerPermission: permissionOfAccess[access],
  });
}

/** The TaskList message. */
export function listMessage(list: CountedList): TaskList {
  return create(TaskListSchema, {
    id: list.id,
    name: list.name,
    isDefault: list.isDefault,
    taskCount: list.taskCount,
    createdAt: timestampFromMs(list.createdAtMs),
    updatedAt: timestampFromMs(list.updatedAtMs),
    ownerId: list.ownerId,
  });
}

function dueMessage(due: StoredDue): Due {
  return due.kind === "date"
    ? create(DueSchema, { when: { case: "date", value: due.date } })
    : create(DueSchema, {
        when: { case: "time", value: timestampFromMs(due.timeMs) },
        timeZone: due.timeZone,
      });
}

function shareMessage(share: StoredShare): Share {
  return create(ShareSchema, {
    userId: share.userId,
    username: share.username,
    permission: share.permission === "edit" ? Permission.EDIT : Permission.VIEW,
    createdAt: timestampFromMs(share.createdAtMs),
  });
}

/** A request's Due in domain terms; undefined/none means no due date. */
export function dueInput(due: Due | undefined): DueInput | null {
  if (!due) return null;
  switch (due.when.case) {
    case "date":
      return { date: due.when.value, timeZone: due.timeZone };
    case "time":
      return { timeMs: timestampMs(due.when.value), timeZone: due.timeZone };
    default:
      return due.timeZone ? { timeZone: due.timeZone } : null;
  }
}

/** A share permission from the wire; undefined for UNSPECIFIED or unknown values. */
export function sharePermission(permission: Permission): SharePermission | undefined {
  if (permission === Permission.VIEW) return "view";
  if (permission === Permission.EDIT) return "edit";
  return undefined;
}
