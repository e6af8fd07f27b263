import { prettyFactory } from "pino-pretty";

/** Formats each process's output line for a person reading the terminal. */
export type LinePrinter = (name: string, line: string) => string;

const palette = [36, 33, 35, 32, 34, 96, 93, 95];

/**
 * Prefixes every line with its process name, padded so columns line up.
 * Services write pino JSON lines; those are rendered by pino-pretty, the
 * rest (a crash's stack trace, a one-time password notice) pass as they
 * are.
 */
export function createLinePrinter(options: {
  colour: boolean;
  nameWidth: number;
}): LinePrinter {
  const pretty = prettyFactory({
    colorize: options.colour,
    translateTime: "HH:MM:ss.l",
    ignore: "pid,hostname,service,instance",
    singleLine: true,
  });
  const colours = new Map<string, number>();
  const label = (name: string): string => {
    const padded = name.padEnd(options.nameWidth);
    if (!options.colour) return `${padded} |`;
    let code = colours.get(name);
    if (code === undefined) {
      code = palette[colours.size % palette.length] ?? 36;
      colours.set(name, code);
    }
    return `\u001b[${code}m${padded} |\u001b[0m`;
  };
  return (name, line) => {
    const body = line.startsWith("{") ? prettyOrRaw(pretty, line) : line;
    return `${label(name)} ${body}`;
  };
}

function prettyOrRaw(pretty: (input: string) => string, line: string): string {
  try {
    return pretty(line).trimEnd();
  } catch {
    return line;
  }
}
