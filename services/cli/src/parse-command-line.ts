import { parseArgs } from "node:util";
import { UsageError } from "./cli-errors.js";
import type { CommandInput, CommandSpec, OptionSpec } from "./command-spec.js";

/** Options every command takes. */
export const globalOptions = {
  registry: {
    type: "string",
    valueName: "URL",
    description:
      "the registry's public URL (env MICROTODO_REGISTRY_PUBLIC_URL, default http://localhost:8080)",
  },
  json: { type: "boolean", description: "print the answer as protobuf JSON for scripts" },
  help: { type: "boolean", short: "h", description: "show help" },
} as const satisfies Record<string, OptionSpec>;

/** Options read before any command is known. */
export interface GlobalValues {
  readonly registry: string | undefined;
  readonly json: boolean;
}

/** What a command line asks for. */
export type ParsedCommandLine =
  | { readonly kind: "help"; readonly command: CommandSpec | undefined }
  | { readonly kind: "version" }
  | {
      readonly kind: "run";
      readonly command: CommandSpec;
      readonly input: CommandInput;
      readonly globals: GlobalValues;
    };

/** Parses argv (without node and script); throws UsageError when it cannot. */
export function parseCommandLine(
  argv: readonly string[],
  commands: readonly CommandSpec[],
): ParsedCommandLine {
  const words = commandWordIndexes(argv);
  const [first, second] = words.map((i) => argv[i] ?? "");
  if (first === undefined) return parseWithoutCommand(argv);
  if (first === "help") {
    return { kind: "help", command: findHelpTopic(argv, words, commands) };
  }
  const twoWords = commands.find((c) => c.name === `${first} ${second}`);
  const command = twoWords ?? commands.find((c) => c.name === first);
  if (!command) throw new UsageError(`unknown command '${first}'`);
  const used = new Set(words.slice(0, twoWords ? 2 : 1));
  const rest = argv.filter((_, i) => !used.has(i));
  return parseForCommand(command, rest);
}

// The command is the first word that is neither an option nor the value of
// --registry; "lists" and "help" may take more words. Stops at "--" so a
// title may start with a dash.
function commandWordIndexes(argv: readonly string[]): number[] {
  const words: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") break;
    if (arg === "--registry") {
      i++;
      continue;
    }
    if (arg.startsWith("-")) continue;
    words.push(i);
    const first = argv[words[0] ?? i];
    if (words.length === 3 || (first !== "lists" && first !== "help")) break;
  }
  return words;
}

function parseWithoutCommand(argv: readonly string[]): ParsedCommandLine {
  if (argv.includes("--version")) return { kind: "version" };
  if (argv.includes("--help") || argv.includes("-h")) {
    return { kind: "help", command: undefined };
  }
  throw new UsageError("missing command; try 'microtodo --help'");
}

function findHelpTopic(
  argv: readonly string[],
  words: readonly number[],
  commands: readonly CommandSpec[],
): CommandSpec | undefined {
  const topic = words.slice(1).map((i) => argv[i]);
  if (topic.length === 0) return undefined;
  const command =
    commands.find((c) => c.name === topic.join(" ")) ??
    commands.find((c) => c.name === topic[0]);
  if (!command) throw new UsageError(`unknown command '${topic.join(" ")}'`);
  return command;
}

function parseForCommand(
  command: CommandSpec,
  args: readonly string[],
): ParsedCommandLine {
  const { values, positionals } = parseOrExplain(command, args);
  if (values.help === true) return { kind: "help", command };
  checkArity(command, positionals);
  const registry = values.registry;
  return {
    kind: "run",
    command,
    input: { positionals, values },
    globals: {
      registry: typeof registry === "string" ? registry : undefined,
      json: values.json === true,
    },
  };
}

function parseOrExplain(command: CommandSpec, args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      options: { ...globalOptions, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    if (!code.startsWith("ERR_PARSE_ARGS")) throw err;
    throw new UsageError(firstSentence((err as Error).message), command.name);
  }
}

function checkArity(command: CommandSpec, positionals: readonly string[]): void {
  const required = command.args.filter((arg) => arg.startsWith("<"));
  const variadic = command.args.at(-1)?.endsWith("...>") ?? false;
  if (positionals.length < required.length) {
    const missing = required[positionals.length];
    throw new UsageError(`missing ${missing} for '${command.name}'`, command.name);
  }
  if (!variadic && positionals.length > command.args.length) {
    const extra = positionals[command.args.length];
    throw new UsageError(
      `unexpected argument '${extra}' for '${command.name}'`,
      command.name,
    );
  }
}

// parseArgs explains at length how to pass a value starting with a dash;
// the first sentence is the part that says what is wrong.
function firstSentence(message: string): string {
  const sentence = message.split(/\.\s/)[0] ?? message;
  return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}
