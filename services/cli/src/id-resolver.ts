import { Code, ConnectError } from "@connectrpc/connect";
import type { Task, TaskList } from "@microtodo/api/todo";
import { CliError } from "./cli-errors.js";
import { listSharedWithMe, listTasks, type TodoClient } from "./task-pages.js";

/** Shorter prefixes are not looked up: they would match too much by chance. */
export const minPrefixLength = 4;

/**
 * A task by its id, or by an id prefix that matches exactly one of the tasks
 * the caller can see. The prefix search reads every list, so it costs a few
 * calls; a full id costs one GetTask.
 */
export async function fetchTask(todo: TodoClient, idOrPrefix: string): Promise<Task> {
  try {
    const { task } = await todo.getTask({ taskId: idOrPrefix });
    if (!task) throw new CliError(`the todo service answered without task ${idOrPrefix}`);
    return task;
  } catch (err) {
    if (!isLookupMiss(err) || idOrPrefix.length < minPrefixLength) throw err;
    const matches = (await visibleTasks(todo)).filter((t) => t.id.startsWith(idOrPrefix));
    if (matches.length > 1) throw ambiguous(idOrPrefix, "tasks", matches);
    const [match] = matches;
    if (!match) throw err;
    return match;
  }
}

/** A list id from an id, an exact list name, or an unambiguous id prefix. */
export async function findListId(todo: TodoClient, idOrName: string): Promise<string> {
  const { lists } = await todo.listLists({});
  return resolveListId(lists, idOrName);
}

/** Like findListId, over lists already fetched; unknown input passes through. */
export function resolveListId(lists: readonly TaskList[], idOrName: string): string {
  if (lists.some((l) => l.id === idOrName)) return idOrName;
  const named = lists.filter((l) => l.name === idOrName);
  if (named.length > 1) throw ambiguous(idOrName, "lists", named);
  if (named[0]) return named[0].id;
  const prefixed = lists.filter((l) => l.id.startsWith(idOrName));
  if (idOrName.length < minPrefixLength) return idOrName;
  if (prefixed.length > 1) throw ambiguous(idOrName, "lists", prefixed);
  return prefixed[0]?.id ?? idOrName;
}

async function visibleTasks(todo: TodoClient): Promise<Task[]> {
  const { lists } = await todo.listLists({});
  const pages = await Promise.all([
    ...lists.map((list) => listTasks(todo, { listId: list.id }, true)),
    listSharedWithMe(todo, true),
  ]);
  const byId = new Map(pages.flatMap((page) => page.tasks).map((t) => [t.id, t]));
  return [...byId.values()];
}

function isLookupMiss(err: unknown): boolean {
  return (
    err instanceof ConnectError &&
    (err.code === Code.NotFound || err.code === Code.InvalidArgument)
  );
}

function ambiguous(
  input: string,
  what: string,
  matches: readonly { id: string }[],
): CliError {
  const shown = matches.slice(0, 3).map((m) => m.id);
  const more = matches.length > 3 ? ", ..." : "";
  return new CliError(
    `'${input}' matches ${matches.length} ${what} (${shown.join(", ")}${more}); give more of the id`,
  );
}
