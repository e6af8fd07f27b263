// The whole local stack (registry, logger, auth, two todo instances, admin)
// on free ports with a fresh data directory, for through-registry.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { HealthState, RegistryService } from "@microtodo/api/registry";
import { freePort } from "@microtodo/kit";
import { type Stack, type StackOptions, startStack } from "@microtodo/stack";
import { processCpuMs } from "../proxy/process-cpu.js";

/** A started stack and where to reach it. */
export interface BenchStack {
  /** The registry's public listener, e.g. http://127.0.0.1:41234. */
  readonly publicUrl: string;
  /** Each todo instance's own listener, for the direct baseline. */
  readonly todoUrls: readonly string[];
  /** CPU time each part of the stack has used so far, in ms. */
  cpuMs(): StackCpuMs;
  stop(): Promise<void>;
}

/** CPU time (user + system) by part of the stack, in ms. */
export interface StackCpuMs {
  readonly registry: number;
  /** Both todo instances together. */
  readonly todo: number;
  /** Auth, logger and admin together. */
  readonly others: number;
}

/** Options of startBenchStack. */
export interface BenchStackOptions {
  /** Keep tasks and users in this Redis; SQLite when absent. */
  readonly redisUrl?: string;
  /** "source" (default) runs TypeScript through tsx; "dist" the built JS. */
  readonly runFrom?: "dist" | "source";
  /** Every process's log level. Default warn, so that per-call logs do not
   * weigh on the numbers. */
  readonly logLevel?: string;
}

const repoRoot = resolve(import.meta.dirname, "../..");
const secret = "bench-registry-secret-0123456789";
/** How long the stack gets to start and pass its health checks. */
const readyWithinMs = 60_000;

/** Starts the stack; resolves once auth and both todo instances are
 * healthy in the registry's catalog. */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const dataDir = mkdtempSync(join(tmpdir(), "todo-bench-stack-"));
  const stackOptions = await planOptions(dataDir, options);
  const output: string[] = [];
  const remember = (line: string) => {
    output.push(line);
    if (output.length > 200) output.shift();
  };
  const stack = await startStack(stackOptions, {
    line: (spec, line) => remember(`${spec.name} | ${line}`),
    started: () => {},
    crashed: (spec, exit) => remember(`${spec.name} | crashed ${JSON.stringify(exit)}`),
  });
  const stop = async () => {
    await stack.stop(5_000);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(stack, stackOptions);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${output.slice(-40).join("\n")}`);
  }
  const { host, ports } = stackOptions;
  return {
    publicUrl: `http://${host}:${ports.public}`,
    todoUrls: ports.todo.map((port) => `http://${host}:${port}`),
    cpuMs: () => stackCpuMs(stack),
    stop,
  };
}

async function planOptions(
  dataDir: string,
  options: BenchStackOptions,
): Promise<StackOptions> {
  return {
    rootDir: repoRoot,
    dataDir,
    host: "127.0.0.1",
    ports: {
      public: await freePort(),
      internal: await freePort(),
      auth: await freePort(),
      todo: [await freePort(), await freePort()],
      logger: await freePort(),
      admin: await freePort(),
    },
    todoWeights: [100, 100],
    registrySecret: secret,
    redisUrl: options.redisUrl,
    runFrom: options.runFrom ?? "source",
    extraEnv: {
      MICROTODO_LOG_LEVEL: options.logLevel ?? "warn",
      MICROTODO_ADMIN_USERNAME: "admin",
      MICROTODO_ADMIN_PASSWORD: "bench-admin-password-not-common",
      // Both instances start together and the measurement starts seconds
      // later: a slow-start ramp would only blur the first runs.
      MICROTODO_REGISTRY_SLOW_START_MS: "0",
    },
  };
}

async function waitUntilServing(stack: Stack, options: StackOptions): Promise<void> {
  await stack.waitReady(readyWithinMs);
  const transport = createConnectTransport({
    baseUrl: `http://${options.host}:${options.ports.internal}`,
    httpVersion: "1.1",
  });
  const registry = createClient(RegistryService, transport);
  const headers = { authorization: `Bearer ${options.registrySecret}` };
  const wanted = { auth: 1, todo: options.ports.todo.length };
  const deadline = Date.now() + readyWithinMs;
  while (Date.now() < deadline) {
    const { instances } = await registry.listInstances({ serviceType: "" }, { headers });
    const healthy = (type: string) =>
      instances.filter((i) => i.serviceType === type && i.health === HealthState.HEALTHY)
        .length;
    if (healthy("auth") >= wanted.auth && healthy("todo") >= wanted.todo) return;
    await sleep(200);
  }
  throw new Error("auth and todo did not turn healthy in the registry in time");
}

function stackCpuMs(stack: Stack): StackCpuMs {
  const cpu = { registry: 0, todo: 0, others: 0 };
  for (const [name, process] of stack.processes) {
    const ms = process.pid === undefined ? 0 : processCpuMs(process.pid);
    if (name === "registry") cpu.registry += ms;
    else if (name.startsWith("todo")) cpu.todo += ms;
    else cpu.others += ms;
  }
  return cpu;
}
