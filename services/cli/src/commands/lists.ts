import {
  CreateListResponseSchema,
  DeleteListResponseSchema,
  ListListsResponseSchema,
  RenameListResponseSchema,
} from "@microtodo/api/todo";
import { type CommandSpec, positional, restWords } from "../command-spec.js";
import { printable } from "../format/table.js";
import { renderListTable } from "../format/task-view.js";
import { findListId } from "../id-resolver.js";

const listIdDetails =
  "A list is named by its id, its exact name, or a unique id prefix (4+ characters).";

/** lists: the caller's lists. */
export const listsCommand: CommandSpec = {
  name: "lists",
  group: "Lists",
  summary: "Show your lists",
  args: [],
  options: {},
  async run(ctx) {
    const response = await ctx.session.todo.listLists({});
    if (ctx.json) return ctx.printJson(ListListsResponseSchema, response);
    ctx.print(renderListTable(response.lists));
  },
};

/** lists add: create a list. */
export const listsAddCommand: CommandSpec = {
  name: "lists add",
  group: "Lists",
  summary: "Create a list",
  args: ["<name...>"],
  options: {},
  async run(ctx, input) {
    const response = await ctx.session.todo.createList({ name: restWords(input, 0) });
    if (ctx.json) return ctx.printJson(CreateListResponseSchema, response);
    ctx.print(
      `created list "${printable(response.list?.name ?? "")}" (${response.list?.id})`,
    );
  },
};

/** lists rename: rename a list. */
export const listsRenameCommand: CommandSpec = {
  name: "lists rename",
  group: "Lists",
  summary: "Rename a list",
  args: ["<id>", "<name...>"],
  options: {},
  details: listIdDetails,
  async run(ctx, input) {
    const todo = ctx.session.todo;
    const listId = await findListId(todo, positional(input, 0));
    const response = await todo.renameList({ listId, name: restWords(input, 1) });
    if (ctx.json) return ctx.printJson(RenameListResponseSchema, response);
    ctx.print(`renamed list ${listId} to "${printable(response.list?.name ?? "")}"`);
  },
};

/** lists rm: delete a list and its tasks. */
export const listsRmCommand: CommandSpec = {
  name: "lists rm",
  group: "Lists",
  summary: "Delete a list and every task in it",
  args: ["<id>"],
  options: {},
  details: `${listIdDetails}\nThe default list cannot be deleted.`,
  async run(ctx, input) {
    const todo = ctx.session.todo;
    const listId = await findListId(todo, positional(input, 0));
    const response = await todo.deleteList({ listId });
    if (ctx.json) return ctx.printJson(DeleteListResponseSchema, response);
    ctx.print(`deleted list ${listId} and its ${response.deletedTasks} task(s)`);
  },
};
