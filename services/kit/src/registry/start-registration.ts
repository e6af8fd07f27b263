import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import type {
  RegistrationSpec,
  RegistryClient,
  RegistryLease,
} from "./registry-client.js";

/** Options of startRegistration. */
export interface StartRegistrationOptions {
  readonly client: RegistryClient;
  readonly spec: RegistrationSpec;
  readonly logger: Logger;
  /**
   * False registers nothing: the platform (Kubernetes) tells the registry
   * about this instance, and the client still resolves other services.
   * Pass MICROTODO_SELF_REGISTER (config.selfRegister). Default true.
   */
  readonly selfRegister?: boolean;
  /** First wait after a failed Register, in ms; doubles up to maxBackoffMs. Default 200. */
  readonly initialBackoffMs?: number;
  /** Longest wait between Register attempts, in ms. Default 10000. */
  readonly maxBackoffMs?: number;
  /** Deadline of the Deregister sent by stop(), in ms. Default 2000. */
  readonly deregisterTimeoutMs?: number;
}

/** A running registration; see startRegistration. */
export interface RegistrationHandle {
  /** The current lease, undefined until registered (and while re-registering). */
  readonly lease: RegistryLease | undefined;
  /** Settles when the first Register succeeded, or when stop() ran first. */
  readonly registered: Promise<void>;
  /** Stops heartbeating and deregisters; never rejects. */
  stop(): Promise<void>;
}

/** Errors that repeating the same request will not cure. */
const permanentCodes = new Set([
  Code.InvalidArgument,
  Code.Unauthenticated,
  Code.PermissionDenied,
  Code.FailedPrecondition,
]);

/**
 * Registers the instance with the registry and keeps it registered:
 * retries Register with exponential backoff (and jitter) until the
 * registry answers, heartbeats at the interval the registry asks for,
 * registers again when a heartbeat hears NOT_FOUND (the registry restarted
 * or the lease lapsed), and deregisters on stop(). A disabled client
 * (empty registry URL) or `selfRegister: false` makes this a no-op.
 */
export function startRegistration(options: StartRegistrationOptions): RegistrationHandle {
  const { client, spec, logger } = options;
  const log = logger.child({ serviceType: spec.serviceType, address: spec.address });
  const abort = new AbortController();
  let lease: RegistryLease | undefined;
  let markRegistered: () => void = () => {};
  const registered = new Promise<void>((resolve) => {
    markRegistered = resolve;
  });

  if (!client.enabled || options.selfRegister === false) {
    log.info(
      client.enabled
        ? "self-registration off; the platform announces this instance"
        : "registry disabled; not registering",
    );
    markRegistered();
    return { lease: undefined, registered, stop: async () => {} };
  }

  const loop = async () => {
    while (!abort.signal.aborted) {
      lease = await registerWithBackoff(options, log, abort.signal);
      if (!lease) return;
      markRegistered();
      const lost = await heartbeatUntilLost(client, lease, log, abort.signal);
      // Kept when stopping, so that stop() can deregister it.
      if (lost) lease = undefined;
    }
  };
  const running = loop();

  return {
    get lease() {
      return lease;
    },
    registered,
    async stop() {
      abort.abort();
      await running;
      markRegistered();
      const current = lease;
      lease = undefined;
      if (current) await deregister(options, current, log);
    },
  };
}

async function registerWithBackoff(
  options: StartRegistrationOptions,
  log: Logger,
  signal: AbortSignal,
): Promise<RegistryLease | undefined> {
  const initialMs = options.initialBackoffMs ?? 200;
  const maxMs = options.maxBackoffMs ?? 10_000;
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      const lease = await options.client.register(options.spec, signal);
      log.info({ instanceId: lease.instanceId, ttlMs: lease.ttlMs }, "registered");
      return lease;
    } catch (err) {
      if (signal.aborted) return undefined;
      const error = ConnectError.from(err);
      const permanent = permanentCodes.has(error.code);
      // Log the first failure and then every tenth, so a registry that is
      // down for minutes does not flood the log.
      if (permanent) log.error({ err: error }, "registration refused");
      else if (attempt % 10 === 0)
        log.warn({ err: error, attempt }, "registry unreachable");
      const ceilingMs = permanent ? maxMs : Math.min(maxMs, initialMs * 2 ** attempt);
      if (!(await pause(ceilingMs * (0.5 + Math.random() / 2), signal))) return undefined;
    }
  }
  return undefined;
}

/** Heartbeats until the registry forgets the lease (true) or `signal` aborts (false). */
async function heartbeatUntilLost(
  client: RegistryClient,
  lease: RegistryLease,
  log: Logger,
  signal: AbortSignal,
): Promise<boolean> {
  let failing = false;
  while (await pause(lease.heartbeatIntervalMs || 5000, signal)) {
    try {
      await client.heartbeat(lease.leaseId, signal);
      if (failing) log.info("heartbeats succeed again");
      failing = false;
    } catch (err) {
      if (signal.aborted) return false;
      const error = ConnectError.from(err);
      if (error.code === Code.NotFound) {
        log.warn("registry forgot the lease; registering again");
        return true;
      }
      if (!failing) log.warn({ err: error }, "heartbeat failed");
      failing = true;
    }
  }
  return false;
}

async function deregister(
  options: StartRegistrationOptions,
  lease: RegistryLease,
  log: Logger,
) {
  try {
    const signal = AbortSignal.timeout(options.deregisterTimeoutMs ?? 2000);
    await options.client.deregister(lease.leaseId, signal);
    log.info({ instanceId: lease.instanceId }, "deregistered");
  } catch (err) {
    log.warn({ err: ConnectError.from(err) }, "deregister failed; the lease will lapse");
  }
}

/** Waits `ms`; false when `signal` aborted first. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal, ref: false });
    return true;
  } catch {
    return false;
  }
}
