import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "@microtodo/kit";
import {
  loadOrCreateRegistrySecret,
  type ProcessEvents,
  type Stack,
  type StackOptions,
  startStack,
} from "@microtodo/stack";
import { afterAll } from "vitest";

/** A local stack on free ports, for one test file. */
export interface TestStack {
  readonly stack: Stack;
  readonly options: StackOptions;
  /** The registry's public listener, e.g. http://127.0.0.1:41234. */
  readonly publicUrl: string;
  /** The registry's internal listener. */
  readonly internalUrl: string;
  /** Every line the processes printed, newest last, for failure messages. */
  readonly output: string[];
  stop(): Promise<void>;
}

const repoRoot = resolve(import.meta.dirname, "../..");

// Data directories this test file made; removed after its last test (a
// stack may be stopped and started again on the same one, so not at stop()).
const madeDirs: string[] = [];
afterAll(() => {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function madeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "microtodo-e2e-"));
  madeDirs.push(dir);
  return dir;
}

/** Picks free ports and a fresh data directory (unless one is given). */
export async function testStackOptions(dataDir?: string): Promise<StackOptions> {
  const dir = dataDir ?? madeDir();
  const ports = {
    public: await freePort(),
    internal: await freePort(),
    auth: await freePort(),
    todo: [await freePort(), await freePort()],
    logger: await freePort(),
    admin: await freePort(),
  };
  return {
    rootDir: repoRoot,
    dataDir: dir,
    host: "127.0.0.1",
    ports,
    todoWeights: [300, 100],
    registrySecret: loadOrCreateRegistrySecret(dir),
    runFrom: "dist",
    extraEnv: {
      MICROTODO_LOG_LEVEL: "info",
      MICROTODO_ADMIN_USERNAME: "admin",
      MICROTODO_ADMIN_PASSWORD: "e2e-admin-password-not-common",
      // Quick health verdicts so the tests do not wait on production timings.
      MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "500",
    },
  };
}

/** Starts the stack and waits until every process is ready. */
export async function startTestStack(options: StackOptions): Promise<TestStack> {
  const output: string[] = [];
  const events: ProcessEvents = {
    line: (spec, line) => {
      output.push(`${spec.name} | ${line}`);
      if (output.length > 5_000) output.splice(0, 1_000);
    },
    started: (spec, pid) => output.push(`${spec.name} | started pid ${pid}`),
    crashed: (spec, exit) =>
      output.push(`${spec.name} | crashed ${JSON.stringify(exit)}`),
  };
  const policy = { initialDelayMs: 200, maxDelayMs: 2_000, stableAfterMs: 10_000 };
  const stack = await startStack(options, events, policy);
  try {
    await stack.waitReady(60_000);
  } catch (err) {
    await stack.stop(2_000);
    throw new Error(`${(err as Error).message}\n${output.slice(-60).join("\n")}`);
  }
  const { host, ports } = options;
  return {
    stack,
    options,
    publicUrl: `http://${host}:${ports.public}`,
    internalUrl: `http://${host}:${ports.internal}`,
    output,
    stop: () => stack.stop(10_000),
  };
}
