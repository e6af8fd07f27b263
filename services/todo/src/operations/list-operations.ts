import { checkId, checkListName } from "../domain/task-fields.js";
import {
  failedPrecondition,
  invalidArgument,
  listNotFound,
} from "../domain/todo-errors.js";
import type { CountedList } from "../store/todo-store.js";
import type { Caller, OperationContext } from "./operation-context.js";

/** Name given to the list every user gets on first use. */
export const DEFAULT_LIST_NAME = "Tasks";

// Default lists are never deleted, so a user's default list id can be
// remembered for the life of the process; the bound keeps memory flat.
const DEFAULT_LIST_CACHE_SIZE = 10_000;

/** Operations on task lists. */
export interface ListOperations {
  /** The id of the caller's default list, created on first use. */
  defaultListId(caller: Caller): Promise<string>;
  /** The id of a list the caller owns (empty: the default list); NOT_FOUND otherwise. */
  ownedListId(caller: Caller, listId: string, field?: string): Promise<string>;
  createList(caller: Caller, name: string): Promise<CountedList>;
  listLists(caller: Caller): Promise<CountedList[]>;
  renameList(caller: Caller, listId: string, name: string): Promise<CountedList>;
  /** Deletes a list and its tasks; returns how many tasks went. */
  deleteList(caller: Caller, listId: string): Promise<number>;
  /** Deletes every task of the caller's default list (the REST facade's DELETE). */
  clearDefaultList(caller: Caller): Promise<number>;
}

/** Builds the list operations over the context's store. */
export function createListOperations(context: OperationContext): ListOperations {
  const { store, limits } = context;
  const defaultIds = new Map<string, string>();

  async function defaultListId(caller: Caller): Promise<string> {
    const cached = defaultIds.get(caller.userId);
    if (cached !== undefined) return cached;
    const now = context.nowMs();
    const list = await store.ensureDefaultList({
      id: context.newId(),
      ownerId: caller.userId,
      name: DEFAULT_LIST_NAME,
      isDefault: true,
      createdAtMs: now,
      updatedAtMs: now,
    });
    if (defaultIds.size >= DEFAULT_LIST_CACHE_SIZE) {
      defaultIds.delete(defaultIds.keys().next().value as string);
    }
    defaultIds.set(caller.userId, list.id);
    return list.id;
  }

  async function ownedList(caller: Caller, listId: string, field = "list_id") {
    const list = await store.getList(checkId(listId, field));
    if (!list || list.ownerId !== caller.userId) throw listNotFound(field);
    return list;
  }

  return {
    defaultListId,
    async ownedListId(caller, listId, field = "list_id") {
      return listId === ""
        ? defaultListId(caller)
        : (await ownedList(caller, listId, field)).id;
    },
    async createList(caller, name) {
      checkListName(name, limits);
      // The default list counts towards the limit, so it must exist first.
      await defaultListId(caller);
      const now = context.nowMs();
      const list = {
        id: context.newId(),
        ownerId: caller.userId,
        name,
        isDefault: false,
        createdAtMs: now,
        updatedAtMs: now,
      };
      if ((await store.insertList(list, limits.maxListsPerUser)) === "limit") {
        throw invalidArgument(
          "name",
          `a user owns at most ${limits.maxListsPerUser} lists`,
        );
      }
      return { ...list, taskCount: 0 };
    },
    async listLists(caller) {
      await defaultListId(caller);
      return store.listLists(caller.userId);
    },
    async renameList(caller, listId, name) {
      checkListName(name, limits);
      await ownedList(caller, listId);
      const renamed = await store.renameList(listId, name, context.nowMs());
      if (!renamed) throw listNotFound();
      return renamed;
    },
    async deleteList(caller, listId) {
      const list = await ownedList(caller, listId);
      if (list.isDefault)
        throw failedPrecondition("list_id", "the default list cannot be deleted");
      const deleted = await store.deleteList(list.id, { keepList: false });
      if (deleted === undefined) throw listNotFound();
      return deleted;
    },
    async clearDefaultList(caller) {
      const listId = await defaultListId(caller);
      return (await store.deleteList(listId, { keepList: true })) ?? 0;
    },
  };
}
