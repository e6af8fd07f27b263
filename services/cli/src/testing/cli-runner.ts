// Test helper, not shipped: runs the CLI in-process with captured output.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { CliIo, InputStream } from "../cli-io.js";
import { runCli } from "../run-cli.js";

/** What one CLI run printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Per-run knobs. */
export interface RunOptions {
  /** Text on stdin (a pipe, not a terminal). */
  readonly stdin?: string | InputStream;
  /** Milliseconds to add to the clock, to age the stored tokens. */
  readonly clockShiftMs?: number;
}

/** A CLI user with their own config dir, talking to one registry. */
export interface CliUser {
  readonly home: string;
  readonly configDir: string;
  run(argv: readonly string[], options?: RunOptions): Promise<CliResult>;
  cleanup(): Promise<void>;
}

/**
 * A user whose runs get the registry from the env; `home` defaults to a
 * fresh temp directory, and config lives in its "config" folder.
 */
export async function createCliUser(
  registryUrl: string,
  homeDir?: string,
): Promise<CliUser> {
  const home = homeDir ?? (await mkdtemp(join(tmpdir(), "microtodo-cli-")));
  const configDir = join(home, "config");
  return {
    home,
    configDir,
    async run(argv, options = {}) {
      let stdout = "";
      let stderr = "";
      const stdin = options.stdin ?? "";
      const io: CliIo = {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        stdin: typeof stdin === "string" ? Readable.from([stdin]) : stdin,
        env: { MICROTODO_REGISTRY_PUBLIC_URL: registryUrl, XDG_CONFIG_HOME: configDir },
        now: () => Date.now() + (options.clockShiftMs ?? 0),
        homeDir: home,
      };
      const code = await runCli(argv, io);
      return { code, stdout, stderr };
    },
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}
