import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { createRegistryClient } from "../registry/registry-client.js";
import { createLogger } from "./create-logger.js";
import { createLogShipper, type LogShipper } from "./log-shipper.js";

/** Options for {@link createServiceLogging}. */
export interface ServiceLoggingOptions {
  readonly service: string;
  readonly instance: string;
  /** Minimum level. Default "info". */
  readonly level?: string;
  /** The registry's internal listener, where the logger service is
   * resolved; empty keeps every record on stdout only. */
  readonly registryUrl: string;
  /** Where the shipper's counters (drops, pushes) are registered. Default:
   * a registry of the shipper's own, not scraped. */
  readonly metricsRegistry?: Registry;
}

/** A service's logger, plus the shipper that feeds the logger service. */
export interface ServiceLogging {
  readonly logger: Logger;
  /** Absent when there is no registry to find the logger service through. */
  readonly shipper: LogShipper | undefined;
  /** Sends what is still buffered, then stops; call it last on shutdown. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Builds the logger every service but the logger itself uses: stdout gets
 * every record, and a shipper batches them to a logger instance that it
 * finds through the registry. The shipper has a registry client of its
 * own, built without a logger, so a failing resolution can never log
 * into the shipper that is waiting on it.
 */
export function createServiceLogging(options: ServiceLoggingOptions): ServiceLogging {
  const registry = createRegistryClient({ registryUrl: options.registryUrl, secret: "" });
  const shipper = registry.enabled
    ? createLogShipper({
        service: options.service,
        instance: options.instance,
        ...(options.metricsRegistry ? { metricsRegistry: options.metricsRegistry } : {}),
        resolveLoggerUrl: async (failedUrl) => {
          if (failedUrl !== undefined) registry.forget("logger");
          return registry.resolveUrl("logger").catch(() => undefined);
        },
      })
    : undefined;
  const logger = createLogger({
    service: options.service,
    instance: options.instance,
    ...(options.level ? { level: options.level } : {}),
    destinations: shipper ? [shipper] : [],
  });
  return {
    logger,
    shipper,
    close: async (timeoutMs = 2_000) => {
      logger.flush();
      await shipper?.close(timeoutMs);
    },
  };
}
