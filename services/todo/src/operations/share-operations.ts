import { invalidArgument, notFound, permissionDenied } from "../domain/todo-errors.js";
import type { SharePermission, StoredShare, StoredTask } from "../store/todo-store.js";
import { type DirectoryUser, normalizeUsername } from "../users/user-directory.js";
import {
  type Caller,
  type OperationContext,
  RETRY,
  withRetries,
} from "./operation-context.js";
import type { TaskOperations } from "./task-operations.js";

/** Sharing tasks with other users. Only a task's owner shares and unshares. */
export interface ShareOperations {
  /** Shares with a user, or changes the permission of an existing share. */
  shareTask(
    caller: Caller,
    taskId: string,
    username: string,
    permission: SharePermission,
  ): Promise<StoredTask>;
  /** Removes a user's share; a user the task is not shared with is a no-op. */
  unshareTask(caller: Caller, taskId: string, username: string): Promise<StoredTask>;
}

/** Builds the sharing operations; tasks decide visibility. */
export function createShareOperations(
  context: OperationContext,
  tasks: TaskOperations,
): ShareOperations {
  const { store, limits } = context;

  async function ownedTask(caller: Caller, taskId: string): Promise<StoredTask> {
    const { task, access } = await tasks.visibleTask(caller, taskId);
    if (access !== "owner")
      throw permissionDenied("task_id", "only the owner shares a task");
    return task;
  }

  async function findUser(
    caller: Caller,
    username: string,
  ): Promise<DirectoryUser | undefined> {
    const normalized = normalizeUsername(username);
    const found = await context.directory.lookup([normalized], caller.accessToken);
    return found.get(normalized);
  }

  // Writes the task with new shares, re-reading it when another write won.
  function rewriteShares(
    caller: Caller,
    taskId: string,
    change: (task: StoredTask) => readonly StoredShare[] | undefined,
  ): Promise<StoredTask> {
    return withRetries("task_id", async () => {
      const task = await ownedTask(caller, taskId);
      const shares = change(task);
      if (shares === undefined) return task;
      const next = {
        ...task,
        shares,
        version: task.version + 1,
        updatedAtMs: context.nowMs(),
      };
      const result = await store.putTask(next, {
        expectedVersion: task.version,
        maxTasksPerList: limits.maxTasksPerList,
      });
      return result.ok ? next : RETRY;
    });
  }

  return {
    async shareTask(caller, taskId, username, permission) {
      if (username.trim() === "") throw invalidArgument("username", "required");
      await ownedTask(caller, taskId);
      const user = await findUser(caller, username);
      if (!user) throw notFound("username", `no user named "${username}"`);
      if (user.id === caller.userId) {
        throw invalidArgument("username", "the owner already has every permission");
      }
      return rewriteShares(caller, taskId, (task) => {
        const existing = task.shares.find((share) => share.userId === user.id);
        if (existing) {
          return task.shares.map((share) =>
            share.userId === user.id
              ? { ...share, username: user.username, permission }
              : share,
          );
        }
        if (task.shares.length >= limits.maxSharesPerTask) {
          throw invalidArgument(
            "username",
            `a task is shared with at most ${limits.maxSharesPerTask} users`,
          );
        }
        const added = {
          userId: user.id,
          username: user.username,
          permission,
          createdAtMs: context.nowMs(),
        };
        return [...task.shares, added];
      });
    },
    async unshareTask(caller, taskId, username) {
      if (username.trim() === "") throw invalidArgument("username", "required");
      const task = await ownedTask(caller, taskId);
      const normalized = normalizeUsername(username);
      let userId = task.shares.find((share) => share.username === normalized)?.userId;
      if (userId === undefined) {
        // Not shared under that name: still tell an unknown user from a no-op.
        const user = await findUser(caller, username);
        if (!user) throw notFound("username", `no user named "${username}"`);
        userId = user.id;
      }
      const removed = userId;
      return rewriteShares(caller, taskId, (current) =>
        current.shares.some((share) => share.userId === removed)
          ? current.shares.filter((share) => share.userId !== removed)
          : undefined,
      );
    },
  };
}
