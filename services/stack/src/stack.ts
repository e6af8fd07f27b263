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
  /** Resolves once every process answers its readiness URL and the
   * registry counts every service instance healthy (so the first call finds
   * a full catalog); rejects naming what was not within `timeoutMs`. */
  waitReady(timeoutMs: number): Promise<void>;
  /** Waits for one process to be ready again (after a restart, say). */
  waitProcessReady(name: string, timeoutMs: number): Promise<void>;
  /** Stops every process: admin first (it still reaches auth to revoke its
   * sessions), then the services, then the logger (so their last lines are
   * stored), the registry last. */
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
    waitReady: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      await waitAllReady(specs, timeoutMs);
      if (registry) {
        await waitAllHealthy(registry.spec, specs.slice(1), deadline - Date.now());
      }
    },
    waitProcessReady: async (name, timeoutMs) => {
      const spec = processes.get(name)?.spec;
      if (!spec) throw new Error(`no process named ${name}`);
      await waitAllReady([spec], timeoutMs);
    },
    stop: async (graceMs = 15_000) => {
      for (const stage of stopStages(services)) {
        await Promise.all(stage.map((p) => p.stop(graceMs)));
      }
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

/** The services in the groups they stop in, one group after another. */
function stopStages(services: readonly ManagedProcess[]): ManagedProcess[][] {
  const rank = (p: ManagedProcess) =>
    p.spec.serviceType === "admin" ? 0 : p.spec.serviceType === "logger" ? 2 : 1;
  return [0, 1, 2]
    .map((r) => services.filter((p) => rank(p) === r))
    .filter((stage) => stage.length > 0);
}

/**
 * Waits until the registry's catalog has every service process as a
 * healthy instance (its own address, the one in its readiness URL):
 * answering /readyz is not yet being picked, which takes the registry's
 * first passing health checks.
 */
async function waitAllHealthy(
  registry: ProcessSpec,
  services: readonly ProcessSpec[],
  timeoutMs: number,
): Promise<void> {
  const listUrl = new URL(
    "/microtodo.registry.v1.RegistryService/ListInstances",
    registry.readyUrl,
  );
  const deadline = Date.now() + Math.max(timeoutMs, 0);
  let pending = services;
  for (;;) {
    const healthy = await healthyAddresses(listUrl);
    pending = pending.filter((spec) => !healthy.has(new URL(spec.readyUrl).host));
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      const names = pending.map((s) => s.name).join(", ");
      throw new Error(`not healthy in the registry in time: ${names}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function healthyAddresses(listUrl: URL): Promise<Set<string>> {
  try {
    const res = await fetch(listUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
      signal: AbortSignal.timeout(1_000),
    });
    if (!res.ok) {
      await res.body?.cancel();
      return new Set();
    }
    const body = (await res.json()) as {
      instances?: Array<{ address?: string; health?: string }>;
    };
    return new Set(
      (body.instances ?? [])
        .filter((i) => i.health === "HEALTH_STATE_HEALTHY")
        .map((i) => i.address ?? ""),
    );
  } catch {
    return new Set();
  }
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
