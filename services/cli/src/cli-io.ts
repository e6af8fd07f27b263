import { homedir } from "node:os";

/** Somewhere text goes: process.stdout and process.stderr fit. */
export interface TextSink {
  write(text: string): unknown;
}

/** Standard input as the password reader needs it (process.stdin fits). */
export type InputStream = NodeJS.ReadableStream & {
  readonly isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
};

/**
 * Everything a command may touch outside the process memory. main.ts passes
 * the real process; tests pass strings, a fixed clock and a temp home.
 */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly stdin: InputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Milliseconds since the epoch; decides when the access token is refreshed. */
  readonly now: () => number;
  readonly homeDir: string;
}

/** The CliIo of the running process. */
export function createProcessIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    now: Date.now,
    homeDir: homedir(),
  };
}
