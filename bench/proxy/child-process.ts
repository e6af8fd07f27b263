import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** A process started by the benchmark that announced its port. */
export interface Child {
  readonly port: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Runs a TypeScript file under tsx (same flags as bench/run.ts) and waits
 * for its `{"port":N}` line on stdout. */
export function startTsChild(
  script: string,
  args: readonly string[] = [],
): Promise<Child> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions", "source", script, ...args],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  return waitForPort(child, script);
}

function waitForPort(child: ChildProcess, name: string): Promise<Child> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    child.once("exit", (code) => reject(new Error(`${name} exited early with ${code}`)));
    lines.once("line", (line) => {
      const { port } = JSON.parse(line) as { port: number };
      resolve({ port, process: child, stop: () => stopChild(child) });
    });
  });
}

/** Sends SIGTERM and waits for the exit. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
