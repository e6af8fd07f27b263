import type { TaskList } from "@microtodo/api/todo";
import type { CommandContext } from "../command-context.js";
import type { TaskViewContext } from "../format/task-view.js";

/** List names and the viewer's id, for task tables and details. */
export async function loadViewContext(
  ctx: CommandContext,
  lists?: readonly TaskList[],
): Promise<TaskViewContext> {
  const known = lists ?? (await ctx.session.todo.listLists({})).lists;
  const stored = await ctx.session.current();
  return {
    listNames: new Map(known.map((list) => [list.id, list.name])),
    viewerId: stored?.userId ?? "",
  };
}
