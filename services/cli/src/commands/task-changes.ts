import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  MoveTaskResponseSchema,
  type TaskSchema,
  UpdateTaskResponseSchema,
} from "@microtodo/api/todo";
import { CliError, UsageError } from "../cli-errors.js";
import type { CommandContext } from "../command-context.js";
import {
  type CommandInput,
  type CommandSpec,
  flag,
  positional,
  stringOption,
} from "../command-spec.js";
import { taskLabel } from "../format/task-view.js";
import { fetchTask, findListId } from "../id-resolver.js";
import { dueOptions, readDueOption } from "./due-options.js";
import { taskIdDetails } from "./tasks.js";

/** The fields of a task a command changes, and their update_mask paths. */
interface TaskChange {
  readonly fields: MessageInitShape<typeof TaskSchema>;
  readonly paths: readonly string[];
}

/** edit: change a task's title, notes or due. */
export const editCommand: CommandSpec = {
  name: "edit",
  group: "Tasks",
  summary: "Change a task's title, notes or due",
  args: ["<id>"],
  options: {
    title: { type: "string", valueName: "TEXT", description: "new title" },
    notes: {
      type: "string",
      valueName: "TEXT",
      description: "new notes ('' clears them)",
    },
    ...dueOptions,
    "no-due": { type: "boolean", description: "remove the due date" },
  },
  details:
    `${taskIdDetails}\nOnly the fields given are sent; if someone else changed the task\n` +
    "since it was read, nothing is saved and the command says to run it again.",
  async run(ctx, input) {
    const change = editChange(input);
    const task = await updateTask(ctx, positional(input, 0), change);
    if (!ctx.json) ctx.print(`updated ${taskLabel(task)}: ${change.paths.join(", ")}`);
  },
};

function editChange(input: CommandInput): TaskChange {
  const title = stringOption(input, "title");
  const notes = stringOption(input, "notes");
  const due = readDueOption(input, "edit");
  const noDue = flag(input, "no-due");
  if (due && noDue) throw new UsageError("--due and --no-due exclude each other", "edit");
  const fields: MessageInitShape<typeof TaskSchema> = { title, notes, due };
  const paths = [
    ...(title === undefined ? [] : ["title"]),
    ...(notes === undefined ? [] : ["notes"]),
    ...(due || noDue ? ["due"] : []),
  ];
  if (paths.length === 0) {
    throw new UsageError(
      "nothing to change: give --title, --notes, --due or --no-due",
      "edit",
    );
  }
  return { fields, paths };
}

function completionCommand(name: "done" | "undone", completed: boolean): CommandSpec {
  return {
    name,
    group: "Tasks",
    summary: completed ? "Mark a task done" : "Mark a task not done",
    args: ["<id>"],
    options: {},
    details: taskIdDetails,
    async run(ctx, input) {
      const change = { fields: { completed }, paths: ["completed"] };
      const task = await updateTask(ctx, positional(input, 0), change);
      if (!ctx.json) ctx.print(`${completed ? "done" : "not done"}: ${taskLabel(task)}`);
    },
  };
}

/** done: complete a task. */
export const doneCommand = completionCommand("done", true);
/** undone: reopen a task. */
export const undoneCommand = completionCommand("undone", false);

// Reads the task first so the update names the version the user is acting
// on; the server refuses with ABORTED if anyone saved in between.
async function updateTask(ctx: CommandContext, idOrPrefix: string, change: TaskChange) {
  const todo = ctx.session.todo;
  const current = await fetchTask(todo, idOrPrefix);
  try {
    const response = await todo.updateTask({
      taskId: current.id,
      task: change.fields,
      updateMask: { paths: [...change.paths] },
      expectedVersion: current.version,
    });
    if (ctx.json) ctx.printJson(UpdateTaskResponseSchema, response);
    return response.task ?? current;
  } catch (err) {
    if (err instanceof ConnectError && err.code === Code.Aborted) {
      throw new CliError(
        `task ${current.id} was changed by someone else while you edited it; ` +
          "nothing was saved: run the command again",
      );
    }
    throw err;
  }
}

/** mv: place a task before or after another, or at the end of a list. */
export const mvCommand: CommandSpec = {
  name: "mv",
  group: "Tasks",
  summary: "Move a task before or after another, or to the end of a list",
  args: ["<id>"],
  options: {
    before: { type: "string", valueName: "ID", description: "just before this task" },
    after: { type: "string", valueName: "ID", description: "just after this task" },
    list: { type: "string", valueName: "ID", description: "at the end of this list" },
  },
  details: `${taskIdDetails}\nGive exactly one of --before, --after and --list.`,
  async run(ctx, input) {
    const { target, label } = await moveTarget(ctx, input);
    const task = await fetchTask(ctx.session.todo, positional(input, 0));
    const response = await ctx.session.todo.moveTask({ taskId: task.id, target });
    if (ctx.json) return ctx.printJson(MoveTaskResponseSchema, response);
    ctx.print(`moved ${taskLabel(response.task ?? task)} ${label}`);
  },
};

interface MoveTarget {
  readonly target: { case: "beforeTaskId" | "afterTaskId" | "listId"; value: string };
  /** Where the task went, for the confirmation line. */
  readonly label: string;
}

async function moveTarget(ctx: CommandContext, input: CommandInput): Promise<MoveTarget> {
  const given = (["before", "after", "list"] as const).filter(
    (name) => stringOption(input, name) !== undefined,
  );
  const [which] = given;
  if (given.length !== 1 || !which) {
    throw new UsageError(
      "give exactly one of --before ID, --after ID and --list ID",
      "mv",
    );
  }
  const value = stringOption(input, which) ?? "";
  const todo = ctx.session.todo;
  if (which === "list") {
    const listId = await findListId(todo, value);
    return {
      target: { case: "listId", value: listId },
      label: `to the end of list ${listId}`,
    };
  }
  const other = await fetchTask(todo, value);
  const kase = which === "before" ? "beforeTaskId" : "afterTaskId";
  return {
    target: { case: kase, value: other.id },
    label: `${which} ${taskLabel(other)}`,
  };
}
