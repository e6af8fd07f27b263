import { create } from "@bufbuild/protobuf";
import {
  ListSharedWithMeResponseSchema,
  Permission,
  ShareTaskResponseSchema,
  UnshareTaskResponseSchema,
} from "@microtodo/api/todo";
import { type CommandSpec, flag, positional } from "../command-spec.js";
import { printable } from "../format/table.js";
import { permissionWord, renderTaskTable, taskLabel } from "../format/task-view.js";
import { fetchTask } from "../id-resolver.js";
import { listSharedWithMe } from "../task-pages.js";
import { taskIdDetails } from "./tasks.js";
import { loadViewContext } from "./view-context.js";

/** share: let another user view (or edit) a task. */
export const shareCommand: CommandSpec = {
  name: "share",
  group: "Sharing",
  summary: "Share a task you own with another user (view only unless --edit)",
  args: ["<id>", "<username>"],
  options: {
    edit: { type: "boolean", description: "let them change fields and completion too" },
  },
  details: `${taskIdDetails}\nSharing again with the same user changes the permission.`,
  async run(ctx, input) {
    const todo = ctx.session.todo;
    const task = await fetchTask(todo, positional(input, 0));
    const permission = flag(input, "edit") ? Permission.EDIT : Permission.VIEW;
    const username = positional(input, 1);
    const response = await todo.shareTask({ taskId: task.id, username, permission });
    if (ctx.json) return ctx.printJson(ShareTaskResponseSchema, response);
    const who = printable(username);
    ctx.print(`shared ${taskLabel(task)} with ${who} (${permissionWord(permission)})`);
  },
};

/** unshare: stop sharing a task with a user. */
export const unshareCommand: CommandSpec = {
  name: "unshare",
  group: "Sharing",
  summary: "Stop sharing a task with a user",
  args: ["<id>", "<username>"],
  options: {},
  details: taskIdDetails,
  async run(ctx, input) {
    const todo = ctx.session.todo;
    const task = await fetchTask(todo, positional(input, 0));
    const username = positional(input, 1);
    const response = await todo.unshareTask({ taskId: task.id, username });
    if (ctx.json) return ctx.printJson(UnshareTaskResponseSchema, response);
    ctx.print(`stopped sharing ${taskLabel(task)} with ${printable(username)}`);
  },
};

/** shared: tasks other users shared with the caller. */
export const sharedCommand: CommandSpec = {
  name: "shared",
  group: "Sharing",
  summary: "List tasks other users shared with you",
  args: [],
  options: {
    all: { type: "boolean", description: "follow every page instead of the first" },
  },
  async run(ctx, input) {
    const pages = await listSharedWithMe(ctx.session.todo, flag(input, "all"));
    if (ctx.json) {
      return ctx.printJson(
        ListSharedWithMeResponseSchema,
        create(ListSharedWithMeResponseSchema, pages),
      );
    }
    if (pages.tasks.length === 0) ctx.print("nothing is shared with you");
    else ctx.print(renderTaskTable(pages.tasks, await loadViewContext(ctx, [])));
    if (pages.nextPageToken)
      ctx.note("there are more tasks: add --all to see every page");
  },
};
