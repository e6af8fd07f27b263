import {
  ManagedProcess,
  type ProcessEvents,
  type RestartPolicy,
} from "./managed-process.js";
import { type ProcessSpec, planStack, type StackOptions } from "./stack-plan.js";

/** A running local stack. */
export interface Stack {
  /** Every process, by name ("registry", "auth", "todo-1", ...). */
  readonly processes: ReadonlyMap<string, ManagedProcess>;
  /** Resolves once every process answers its readiness URL; rejects
   * naming the ones that did not within `timeoutMs`. */
  waitReady(timeoutMs: number): Promise<void>;
  /** Waits for one process to be ready again (after a restart, say). */
  waitProcessReady(name: string, timeoutMs: number): Promise<void>;
  /** Stops every process, services first and the registry last. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts the registry, waits until it is ready, then starts the rest. */
export async function startStack(
  options: StackOptions,
  events: ProcessEvents,
  policy?: RestartPolicy,
): Promise<Stack> {
  const specs = planStack(options);
  const processes = new Map<string, ManagedProcess>();
  for (const spec of specs)
    processes.set(spec.name, new ManagedProcess(spec, events, policy));

  const [registry, ...services] = [...processes.values()];
  const stack: Stack = {
    processes,
    waitReady: (timeoutMs) => waitAllReady(specs, timeoutMs),
    waitProcessReady: async (name, timeoutMs) => {
      const spec = processes.get(name)?.spec;
      if (!spec) throw new Error(`no process named ${name}`);
      await waitAllReady([spec], timeoutMs);
    },
    stop: async (graceMs = 15_000) => {
      await Promise.all(services.map((p) => p.stop(graceMs)));
      await registry?.stop(graceMs);
    },
  };
  if (!registry) return stack;
  registry.start();
  try {
    await waitAllReady([registry.spec], 30_000);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  for (const service of services) service.start();
  return stack;
}

async function waitAllReady(
  specs: readonly ProcessSpec[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(specs);
  while (pending.size > 0) {
    for (const spec of [...pending]) {
      if (await isReady(spec.readyUrl)) pending.delete(spec);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const names = [...pending].map((s) => s.name).join(", ");
      throw new Error(`not ready after ${timeoutMs} ms: ${names}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
