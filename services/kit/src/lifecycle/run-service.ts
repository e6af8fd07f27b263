import type { Logger } from "pino";
import type {
  ListenAddress,
  ListenOptions,
  ServiceServer,
} from "../server/create-service-server.js";

/** What runService needs of a server: the registry, with two listeners
 * and no fastify app, offers just these two. */
export type RunnableServer = Pick<ServiceServer, "listen" | "close">;

/** Options for {@link runService}. */
export interface RunServiceOptions {
  logger: Logger;
  server: RunnableServer;
  listen: ListenOptions;
  /** How long in-flight calls may run after the first signal. Default 10000. */
  shutdownTimeoutMs?: number;
  /** Runs once listening and ready (start registration here). A throw shuts down with exit 1. */
  onListening?: (address: ListenAddress) => void | Promise<void>;
  /**
   * Runs when shutdown starts, before the drain: deregister here, so the
   * registry stops sending new calls while in-flight ones finish. Bounded
   * by onShutdownTimeoutMs. Default none.
   */
  onDrainStart?: () => Promise<void>;
  /** Runs after the drain (close stores). Default none. */
  onShutdown?: () => Promise<void>;
  /** How long onShutdown may take before the process exits anyway. Default 5000. */
  onShutdownTimeoutMs?: number;
  /** Ends the process; tests can replace it. Default process.exit. */
  exit?: (code: number) => void;
}

/** A running service, as runService returns it. */
export interface RunningService {
  address: ListenAddress;
  /** Drains, runs onShutdown and exits, as a signal would. */
  shutdown(reason: string): Promise<void>;
}

/** Exit code for a second signal during shutdown: 128 + SIGINT, as shells report ^C. */
export const forcedExitCode = 130;

/**
 * Runs a built server as the process's main job: listens, then on SIGTERM
 * or SIGINT turns NOT_SERVING, stops accepting, lets in-flight calls finish
 * (up to shutdownTimeoutMs), runs onShutdown and exits 0. A second signal
 * exits at once with {@link forcedExitCode}.
 */
export async function runService(options: RunServiceOptions): Promise<RunningService> {
  const { logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = options.shutdownTimeoutMs ?? 10_000;
  let stopping: Promise<void> | undefined;

  const shutdown = (reason: string, exitCode = 0): Promise<void> => {
    stopping ??= drainThenExit(options, { reason, timeoutMs, exitCode, exit });
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping === undefined) {
      void shutdown(signal);
      return;
    }
    logger.warn({ signal }, "second signal during shutdown, exiting now");
    exit(forcedExitCode);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  installCrashHandlers(logger, exit);

  const address = await listenOrExit(options, exit);
  logger.info({ url: address.url }, "listening");
  try {
    await options.onListening?.(address);
  } catch (err) {
    logger.fatal({ err }, "startup failed after listening");
    await shutdown("startup failure", 1);
  }
  return { address, shutdown: (reason) => shutdown(reason) };
}

async function listenOrExit(
  options: RunServiceOptions,
  exit: (code: number) => void,
): Promise<ListenAddress> {
  try {
    return await options.server.listen(options.listen);
  } catch (err) {
    options.logger.fatal({ err, ...options.listen }, "cannot listen");
    exit(1);
    // Only reached when a test replaces exit.
    throw err;
  }
}

interface DrainPlan {
  reason: string;
  timeoutMs: number;
  exitCode: number;
  exit: (code: number) => void;
}

async function drainThenExit(options: RunServiceOptions, plan: DrainPlan): Promise<void> {
  const { logger } = options;
  logger.info({ reason: plan.reason, timeoutMs: plan.timeoutMs }, "shutting down");
  let exitCode = plan.exitCode;
  if (options.onDrainStart !== undefined) {
    exitCode = await runHook("onDrainStart", options.onDrainStart, options, exitCode);
  }
  try {
    await options.server.close({ timeoutMs: plan.timeoutMs });
  } catch (err) {
    logger.error({ err }, "error while draining");
    exitCode = 1;
  }
  if (options.onShutdown !== undefined) {
    exitCode = await runHook("onShutdown", options.onShutdown, options, exitCode);
  }
  logger.info({ exitCode }, "shut down");
  logger.flush();
  plan.exit(exitCode);
}

/** Runs a shutdown hook within its deadline; a failure turns the exit code to 1. */
async function runHook(
  name: string,
  hook: () => Promise<void>,
  options: RunServiceOptions,
  exitCode: number,
): Promise<number> {
  try {
    await withTimeout(hook(), options.onShutdownTimeoutMs ?? 5000);
    return exitCode;
  } catch (err) {
    options.logger.error({ err, hook: name }, "shutdown hook failed");
    return 1;
  }
}

function withTimeout(work: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function installCrashHandlers(logger: Logger, exit: (code: number) => void): void {
  // Without these, a crash prints a bare stack to stderr and the JSON log
  // (and the log shipper) never hears of it.
  process.once("uncaughtException", (err) => {
    logger.fatal({ err }, "uncaught exception");
    logger.flush();
    exit(1);
  });
  process.once("unhandledRejection", (err) => {
    logger.fatal({ err }, "unhandled rejection");
    logger.flush();
    exit(1);
  });
}
