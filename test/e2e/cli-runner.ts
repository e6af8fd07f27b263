import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll } from "vitest";

const cliEntry = resolve(import.meta.dirname, "../../services/cli/dist/main.js");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One person at a terminal: their own config directory, one registry. */
export interface CliUser {
  run(args: readonly string[], stdin?: string): Promise<CliResult>;
  /** Runs a command with --json and parses its answer; fails on exit != 0. */
  json<T = Record<string, unknown>>(args: readonly string[], stdin?: string): Promise<T>;
}

// Config homes (tokens) this test file made; removed after its last test.
const configHomes: string[] = [];
afterAll(() => {
  for (const dir of configHomes.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function cliUser(registryUrl: string): CliUser {
  const configHome = mkdtempSync(join(tmpdir(), "microtodo-cli-"));
  configHomes.push(configHome);
  const run = (args: readonly string[], stdin?: string): Promise<CliResult> =>
    new Promise((done) => {
      const child = execFile(
        process.execPath,
        [cliEntry, ...args],
        {
          env: {
            ...process.env,
            XDG_CONFIG_HOME: configHome,
            MICROTODO_REGISTRY_PUBLIC_URL: registryUrl,
          },
          timeout: 30_000,
        },
        (err, stdout, stderr) => {
          const code = err
            ? Number((err as NodeJS.ErrnoException & { code?: unknown }).code ?? 1)
            : 0;
          done({ code: Number.isInteger(code) ? code : 1, stdout, stderr });
        },
      );
      child.stdin?.end(stdin ?? "");
    });
  return {
    run,
    json: async <T>(args: readonly string[], stdin?: string) => {
      const result = await run([...args, "--json"], stdin);
      if (result.code !== 0) {
        throw new Error(
          `microtodo ${args.join(" ")} exited ${result.code}: ${result.stderr}`,
        );
      }
      return JSON.parse(result.stdout) as T;
    },
  };
}
