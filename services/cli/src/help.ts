import { type CommandSpec, commandGroups, type OptionSpec } from "./command-spec.js";
import { globalOptions } from "./parse-command-line.js";

const versionOption: OptionSpec = { type: "boolean", description: "print the version" };

/** `microtodo --help`: every command by group, then the global options. */
export function renderOverview(commands: readonly CommandSpec[]): string {
  const usageWidth = Math.max(...commands.map((c) => commandUsage(c).length)) + 2;
  const groups = commandGroups.map((group) => {
    const lines = commands
      .filter((c) => c.group === group)
      .map((c) => `  ${commandUsage(c).padEnd(usageWidth)}${c.summary}`);
    return `${group}:\n${lines.join("\n")}`;
  });
  return [
    "microtodo: the command-line client of micro-todo",
    "",
    "Usage: microtodo <command> [arguments] [options]",
    "",
    ...groups.flatMap((group) => [group, ""]),
    `Global options:\n${renderOptions({ ...globalOptions, version: versionOption })}`,
    "",
    "Run 'microtodo <command> --help' for a command's options.",
    "",
  ].join("\n");
}

/** `microtodo <command> --help`. */
export function renderCommandHelp(command: CommandSpec): string {
  const hasOptions = Object.keys(command.options).length > 0;
  const parts = [
    `Usage: microtodo ${commandUsage(command)}${hasOptions ? " [options]" : ""}`,
    "",
    `${command.summary}.`,
    "",
  ];
  if (hasOptions) parts.push(`Options:\n${renderOptions(command.options)}`, "");
  if (command.details) parts.push(command.details, "");
  parts.push(`Global options:\n${renderOptions(globalOptions)}`, "");
  return parts.join("\n");
}

function commandUsage(command: CommandSpec): string {
  return [command.name, ...command.args].join(" ");
}

function renderOptions(options: Readonly<Record<string, OptionSpec>>): string {
  const entries = Object.entries(options).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : "";
    const value = spec.type === "string" ? ` ${spec.valueName ?? "VALUE"}` : "";
    return [`${short}--${name}${value}`, spec.description] as const;
  });
  const width = Math.max(17, ...entries.map(([flags]) => flags.length)) + 2;
  return entries.map(([flags, text]) => `  ${flags.padEnd(width)}${text}`).join("\n");
}
