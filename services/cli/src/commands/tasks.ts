import { create } from "@bufbuild/protobuf";
import {
  CreateTaskResponseSchema,
  DeleteTaskResponseSchema,
  GetTaskResponseSchema,
  ListTasksResponseSchema,
  TaskOrder,
} from "@microtodo/api/todo";
import { UsageError } from "../cli-errors.js";
import {
  type CommandInput,
  type CommandSpec,
  flag,
  type OptionSpec,
  positional,
  restWords,
  stringOption,
} from "../command-spec.js";
import { formatDue } from "../due.js";
import { renderTaskDetails, renderTaskTable, taskLabel } from "../format/task-view.js";
import { fetchTask, findListId, resolveListId } from "../id-resolver.js";
import { listTasks } from "../task-pages.js";
import { dueOptions, readDueOption } from "./due-options.js";
import { loadViewContext } from "./view-context.js";

/** How commands name a task in help. */
export const taskIdDetails =
  "A task is named by its id or by an id prefix (4+ characters) that matches\n" +
  "exactly one of the tasks you can see.";

const listOption: OptionSpec = {
  type: "string",
  valueName: "ID",
  description: "a list's id, name or id prefix (default: your default list)",
};

/** add: create a task. */
export const addCommand: CommandSpec = {
  name: "add",
  group: "Tasks",
  summary: "Add a task",
  args: ["<title...>"],
  options: {
    list: listOption,
    notes: { type: "string", valueName: "TEXT", description: "notes" },
    ...dueOptions,
  },
  async run(ctx, input) {
    const due = readDueOption(input, "add");
    const todo = ctx.session.todo;
    const list = stringOption(input, "list");
    const response = await todo.createTask({
      listId: list === undefined ? "" : await findListId(todo, list),
      title: restWords(input, 0),
      notes: stringOption(input, "notes") ?? "",
      due,
    });
    if (ctx.json) return ctx.printJson(CreateTaskResponseSchema, response);
    const task = response.task;
    const dueText = task?.due ? `, due ${formatDue(task.due)}` : "";
    ctx.print(`added ${task ? taskLabel(task) : "a task"}${dueText}`);
  },
};

const sortOrders: Record<string, TaskOrder> = {
  position: TaskOrder.POSITION,
  due: TaskOrder.DUE,
};

/** ls: tasks of a list, or shared with the caller. */
export const lsCommand: CommandSpec = {
  name: "ls",
  group: "Tasks",
  summary: "List tasks of a list (default: your default list)",
  args: [],
  options: {
    list: listOption,
    done: { type: "boolean", description: "only completed tasks" },
    open: { type: "boolean", description: "only tasks not completed yet" },
    shared: { type: "boolean", description: "only tasks others shared with you" },
    sort: {
      type: "string",
      valueName: "ORDER",
      description: "position (default) or due",
    },
    all: { type: "boolean", description: "follow every page instead of the first" },
  },
  async run(ctx, input) {
    const request = lsRequest(input);
    const todo = ctx.session.todo;
    const { lists } = request.sharedWithMe ? { lists: [] } : await todo.listLists({});
    const list = stringOption(input, "list");
    const listId = list === undefined ? "" : resolveListId(lists, list);
    const pages = await listTasks(todo, { ...request, listId }, flag(input, "all"));
    if (ctx.json)
      return ctx.printJson(
        ListTasksResponseSchema,
        create(ListTasksResponseSchema, pages),
      );
    if (pages.tasks.length === 0) ctx.print("no tasks");
    else ctx.print(renderTaskTable(pages.tasks, await loadViewContext(ctx, lists)));
    if (pages.nextPageToken)
      ctx.note("there are more tasks: add --all to see every page");
  },
};

function lsRequest(input: CommandInput) {
  const [done, open, shared] = [
    flag(input, "done"),
    flag(input, "open"),
    flag(input, "shared"),
  ];
  if (done && open) throw new UsageError("--done and --open exclude each other", "ls");
  if (shared && stringOption(input, "list") !== undefined) {
    throw new UsageError("--shared and --list exclude each other", "ls");
  }
  const sort = stringOption(input, "sort") ?? "position";
  const order = sortOrders[sort];
  if (order === undefined) {
    throw new UsageError(`--sort must be position or due, got '${sort}'`, "ls");
  }
  return {
    completed: done ? true : open ? false : undefined,
    sharedWithMe: shared,
    order,
  };
}

/** show: every field of one task. */
export const showCommand: CommandSpec = {
  name: "show",
  group: "Tasks",
  summary: "Show one task in full",
  args: ["<id>"],
  options: {},
  details: taskIdDetails,
  async run(ctx, input) {
    const task = await fetchTask(ctx.session.todo, positional(input, 0));
    if (ctx.json)
      return ctx.printJson(
        GetTaskResponseSchema,
        create(GetTaskResponseSchema, { task }),
      );
    ctx.print(renderTaskDetails(task, await loadViewContext(ctx)));
  },
};

/** rm: delete a task (owner only). */
export const rmCommand: CommandSpec = {
  name: "rm",
  group: "Tasks",
  summary: "Delete a task you own",
  args: ["<id>"],
  options: {},
  details: taskIdDetails,
  async run(ctx, input) {
    const todo = ctx.session.todo;
    const task = await fetchTask(todo, positional(input, 0));
    const response = await todo.deleteTask({ taskId: task.id });
    if (ctx.json) return ctx.printJson(DeleteTaskResponseSchema, response);
    ctx.print(`deleted ${taskLabel(task)}`);
  },
};
