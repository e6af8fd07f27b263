import {
  type ConfigOf,
  commonConfig,
  envBytes,
  envDurationMs,
  envEnum,
  envPort,
} from "@microtodo/kit";
import { z } from "zod";

/** The logger's environment: the common variables plus its own. */
export const loggerConfigSchema = z.object({
  ...commonConfig,
  /** Default 8084. */
  MICROTODO_PORT: envPort({ default: 8084 }),
  /** Records older than this (by their own time) are deleted. Default 7 days. */
  MICROTODO_LOGGER_MAX_AGE_MS: envDurationMs({ default: 7 * 24 * 3_600_000 }),
  /** The oldest records are deleted while the data exceeds this. Default 1 GiB. */
  MICROTODO_LOGGER_MAX_BYTES: envBytes({ default: 1024 ** 3 }),
  /**
   * "full" (default): a Push is acknowledged once its batch survives power
   * loss; "normal": once it survives a crash of the process only.
   */
  MICROTODO_LOGGER_SYNC: envEnum(["full", "normal"], { default: "full" }),
});

/** The logger's validated, frozen configuration. */
export type LoggerConfig = ConfigOf<typeof loggerConfigSchema>;
