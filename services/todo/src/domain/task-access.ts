import type { StoredTask } from "../store/todo-store.js";

/** What a user may do with a task: "none" means it stays invisible. */
export type TaskAccess = "owner" | "edit" | "view" | "none";

/** The caller's access to a task: its owner, a user it is shared with, or nobody. */
export function accessOf(task: StoredTask, userId: string): TaskAccess {
  if (task.ownerId === userId) return "owner";
  const share = task.shares.find((candidate) => candidate.userId === userId);
  return share ? share.permission : "none";
}

/** Whether the access allows changing fields and completion. */
export function canEdit(access: TaskAccess): boolean {
  return access === "owner" || access === "edit";
}
