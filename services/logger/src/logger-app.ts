import type { ConnectRouter } from "@connectrpc/connect";
import { LoggerService } from "@microtodo/api/logger";
import { createServiceServer, type ServiceServer } from "@microtodo/kit";
import type { Logger } from "pino";
import { createLoggerService } from "./service/logger-service.js";
import type { LogStore } from "./store/log-store.js";

/** What the logger app is built from. */
export interface LoggerAppOptions {
  readonly instance: string;
  readonly logger: Logger;
  readonly store: LogStore;
}

/** A built logger server (not listening yet). */
export interface LoggerApp {
  readonly server: ServiceServer;
}

// A Push may carry 5,000 records of up to 24 KiB each; the kit's shipper
// sends at most 2 MiB per Push, other clients get this much room.
const maxBodyBytes = 32 * 1024 ** 2;

/**
 * Builds the logger server: LoggerService over Connect, gRPC and
 * gRPC-Web, plus the kit's health, readiness and metrics, on one port.
 */
export async function createLoggerApp(options: LoggerAppOptions): Promise<LoggerApp> {
  // Open Tail streams end when the server starts draining (the kit's
  // drain signal), so shutdown does not wait its deadline out for them.
  const service = createLoggerService({ store: options.store, logger: options.logger });
  const server = await createServiceServer({
    service: "logger",
    instance: options.instance,
    logger: options.logger,
    maxBodyBytes,
    routes: (router: ConnectRouter) => {
      router.service(LoggerService, service);
    },
    unaryFastPath: true,
  });
  return { server };
}
