import type { Due } from "@microtodo/api/todo";
import { UsageError } from "../cli-errors.js";
import { type CommandInput, type OptionSpec, stringOption } from "../command-spec.js";
import { localTimeZone, parseDue } from "../due.js";

/** --due and --tz, shared by add and edit. */
export const dueOptions = {
  due: {
    type: "string",
    valueName: "WHEN",
    description: "due date YYYY-MM-DD, or time YYYY-MM-DDTHH:MM (see --tz)",
  },
  tz: {
    type: "string",
    valueName: "ZONE",
    description:
      "IANA zone of a --due time, such as Europe/Paris (default: this machine's)",
  },
} as const satisfies Record<string, OptionSpec>;

/** The Due that --due and --tz describe, or undefined without --due. */
export function readDueOption(input: CommandInput, command: string): Due | undefined {
  const due = stringOption(input, "due");
  const tz = stringOption(input, "tz");
  if (due === undefined) {
    if (tz !== undefined) throw new UsageError("--tz needs --due", command);
    return undefined;
  }
  try {
    return parseDue(due, tz, localTimeZone());
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(err.message, command);
    throw err;
  }
}
