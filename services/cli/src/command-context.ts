import { type DescMessage, type MessageShape, toJsonString } from "@bufbuild/protobuf";
import type { CliIo } from "./cli-io.js";
import type { Session } from "./session.js";

/** What a running command works with. */
export interface CommandContext {
  readonly io: CliIo;
  readonly session: Session;
  /** --json: print protobuf JSON instead of tables. */
  readonly json: boolean;
  /** Writes a line to stdout. */
  print(text: string): void;
  /** Writes a message as indented protobuf JSON to stdout. */
  printJson<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): void;
  /** Writes "microtodo: <text>" to stderr; the command goes on. */
  note(text: string): void;
}

/** A context printing to `io`. */
export function createCommandContext(
  io: CliIo,
  session: Session,
  json: boolean,
): CommandContext {
  return {
    io,
    session,
    json,
    print: (text) => io.stdout.write(`${text}\n`),
    printJson: (schema, message) =>
      io.stdout.write(`${toJsonString(schema, message, { prettySpaces: 2 })}\n`),
    note: (text) => io.stderr.write(`microtodo: ${text}\n`),
  };
}
