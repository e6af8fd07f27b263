import { DEFAULT_REGISTRY_URL, resolveCliConfig } from "./cli-config.js";
import { describeError, exitCodeFor, UsageError } from "./cli-errors.js";
import type { CliIo } from "./cli-io.js";
import { createCommandContext } from "./command-context.js";
import type { CommandSpec } from "./command-spec.js";
import { allCommands } from "./commands/all-commands.js";
import { createCredentialsStore } from "./credentials-store.js";
import { renderCommandHelp, renderOverview } from "./help.js";
import { type ParsedCommandLine, parseCommandLine } from "./parse-command-line.js";
import { createSession } from "./session.js";
import { cliVersion } from "./version.js";

/**
 * Runs one microtodo command line (argv without node and the script) and
 * returns the exit code: 0 done, 1 failed, 2 usage error, 130 interrupted.
 * Failures are one line on stderr: "microtodo: <what went wrong>".
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly CommandSpec[] = allCommands,
): Promise<number> {
  let registryUrl = DEFAULT_REGISTRY_URL;
  try {
    const parsed = parseCommandLine(argv, commands);
    if (parsed.kind !== "run") {
      io.stdout.write(staticAnswer(parsed, commands));
      return 0;
    }
    const config = resolveCliConfig(parsed.globals.registry, io.env, io.homeDir);
    registryUrl = config.registryUrl;
    const session = createSession({
      registryUrl,
      store: createCredentialsStore(config.credentialsPath),
      now: io.now,
    });
    await parsed.command.run(
      createCommandContext(io, session, parsed.globals.json),
      parsed.input,
    );
    return 0;
  } catch (err) {
    io.stderr.write(`microtodo: ${describeError(err, registryUrl)}${helpHint(err)}\n`);
    return exitCodeFor(err);
  }
}

function staticAnswer(
  parsed: Exclude<ParsedCommandLine, { kind: "run" }>,
  commands: readonly CommandSpec[],
): string {
  if (parsed.kind === "version") return `microtodo ${cliVersion()}\n`;
  return parsed.command ? renderCommandHelp(parsed.command) : renderOverview(commands);
}

function helpHint(err: unknown): string {
  if (!(err instanceof UsageError) || err.message.includes("--help")) return "";
  return err.command
    ? ` (see 'microtodo ${err.command} --help')`
    : " (see 'microtodo --help')";
}
