import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Permission, type Share, type Task, type TaskList } from "@microtodo/api/todo";
import { formatDue } from "../due.js";
import { type Column, printable, renderFields, renderTable } from "./table.js";

/** What a task table needs besides the tasks. */
export interface TaskViewContext {
  /** List names by id, for the LIST column. */
  readonly listNames: ReadonlyMap<string, string>;
  /** The signed-in user's id: tasks of other owners say who shared them. */
  readonly viewerId: string;
}

/** ID, DONE, TITLE, DUE, LIST and SHARING columns, one task per row. */
export function renderTaskTable(tasks: readonly Task[], view: TaskViewContext): string {
  const columns: Column<Task>[] = [
    { header: "id", cell: (t) => t.id },
    { header: "done", cell: (t) => (t.completed ? "[x]" : "[ ]") },
    { header: "title", cell: (t) => t.title, maxWidth: 60 },
    { header: "due", cell: (t) => formatDue(t.due) },
    { header: "list", cell: (t) => listCell(t, view), hideWhenEmpty: true },
    { header: "sharing", cell: (t) => sharingCell(t, view), hideWhenEmpty: true },
  ];
  return renderTable(columns, tasks);
}

/** Every field of one task, for `show`. */
export function renderTaskDetails(task: Task, view: TaskViewContext): string {
  const fields: [string, string][] = [
    ["id", task.id],
    ["title", task.title],
    ["done", task.completed ? `yes, ${formatTime(task.completedAt)}` : "no"],
    ["due", formatDue(task.due) || "-"],
  ];
  // Another owner's list is theirs to name; the caller only sees their own.
  if (isOthers(task, view)) {
    fields.push(["access", permissionWord(task.callerPermission)]);
  } else {
    fields.push(["list", listCell(task, view)]);
  }
  fields.push(["owner", task.ownerUsername || task.ownerId]);
  if (task.shares.length > 0) fields.push(["shared with", sharesText(task.shares)]);
  fields.push(
    ["notes", task.notes || "-"],
    ["version", String(task.version)],
    ["created", formatTime(task.createdAt)],
    ["updated", formatTime(task.updatedAt)],
  );
  return renderFields(fields);
}

/** `"Buy milk" (t_123)`: how confirmations name a task. */
export function taskLabel(task: Task): string {
  return `"${printable(task.title)}" (${task.id})`;
}

/** Lists as ID, NAME, TASKS, DEFAULT. */
export function renderListTable(lists: readonly TaskList[]): string {
  return renderTable<TaskList>(
    [
      { header: "id", cell: (l) => l.id },
      { header: "name", cell: (l) => l.name, maxWidth: 60 },
      { header: "tasks", cell: (l) => String(l.taskCount) },
      { header: "default", cell: (l) => (l.isDefault ? "yes" : "") },
    ],
    lists,
  );
}

/** "view" or "edit". */
export function permissionWord(permission: Permission): string {
  if (permission === Permission.EDIT) return "edit";
  if (permission === Permission.VIEW) return "view";
  return "none";
}

function isOthers(task: Task, view: TaskViewContext): boolean {
  return view.viewerId !== "" && task.ownerId !== view.viewerId;
}

function listCell(task: Task, view: TaskViewContext): string {
  if (isOthers(task, view)) return "";
  return view.listNames.get(task.listId) ?? task.listId;
}

function sharingCell(task: Task, view: TaskViewContext): string {
  if (isOthers(task, view)) {
    const owner = task.ownerUsername || task.ownerId;
    return `from ${owner} (${permissionWord(task.callerPermission)})`;
  }
  return task.shares.length > 0 ? `with ${sharesText(task.shares)}` : "";
}

function sharesText(shares: readonly Share[]): string {
  return shares
    .map((s) => `${s.username || s.userId} (${permissionWord(s.permission)})`)
    .join(", ");
}

function formatTime(timestamp: Timestamp | undefined): string {
  if (!timestamp) return "-";
  return timestampDate(timestamp)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}
