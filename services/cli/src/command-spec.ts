import type { CommandContext } from "./command-context.js";

/** One option of a command, in the shape node:util parseArgs takes. */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly description: string;
  /** Placeholder shown in help after a string option, such as "ID". */
  readonly valueName?: string;
}

/** The headings of `microtodo --help`, in order. */
export const commandGroups = ["Account", "Lists", "Tasks", "Sharing"] as const;

/** What a command is given once its command line parsed. */
export interface CommandInput {
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
}

/** A command: its help, its command-line shape and what it does. */
export interface CommandSpec {
  /** One or two words, such as "ls" or "lists add". */
  readonly name: string;
  readonly group: (typeof commandGroups)[number];
  readonly summary: string;
  /**
   * Positionals for help and arity: "<id>" is required, "[x]" optional,
   * and a last "<title...>" takes the remaining words.
   */
  readonly args: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** More help text, printed after the options. */
  readonly details?: string;
  readonly run: (ctx: CommandContext, input: CommandInput) => Promise<void>;
}

/** A string option's value, or undefined when absent. */
export function stringOption(input: CommandInput, name: string): string | undefined {
  const value = input.values[name];
  return typeof value === "string" ? value : undefined;
}

/** Whether a boolean option was given. */
export function flag(input: CommandInput, name: string): boolean {
  return input.values[name] === true;
}

/** The positional at `index` (arity was checked by the parser). */
export function positional(input: CommandInput, index: number): string {
  return input.positionals[index] ?? "";
}

/** The positionals from `index` on joined by spaces, for "<title...>". */
export function restWords(input: CommandInput, index: number): string {
  return input.positionals.slice(index).join(" ");
}
