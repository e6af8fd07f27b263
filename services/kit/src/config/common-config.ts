import { hostname } from "node:os";
import {
  envBoolean,
  envDurationMs,
  envEnum,
  envPort,
  envString,
  envUrl,
} from "./env-vars.js";

/** pino's level names, plus "silent". */
export const logLevels = [
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "silent",
] as const;

/** A pino level name accepted by MICROTODO_LOG_LEVEL. */
export type LogLevel = (typeof logLevels)[number];

/**
 * The variables every service reads. Spread it into a service's own schema
 * and override MICROTODO_PORT with that service's default port:
 * `z.object({ ...commonConfig, MICROTODO_PORT: envPort({ default: 8082 }) })`.
 * Keys are variable names; parseConfig turns them into camelCase.
 */
export const commonConfig = {
  /** Interface to bind. Default 127.0.0.1. */
  MICROTODO_HOST: envString({ default: "127.0.0.1" }),
  /** Port to bind. Default 8080; each service overrides it with its own. */
  MICROTODO_PORT: envPort({ default: 8080 }),
  /** Name of this instance in logs, metrics and the registry. Default `<hostname>-<pid>`. */
  MICROTODO_INSTANCE: envString({ default: `${hostname()}-${process.pid}` }),
  /** pino level. Default info. */
  MICROTODO_LOG_LEVEL: envEnum(logLevels, { default: "info" }),
  /** The registry's internal listener; "" disables registration. Default http://127.0.0.1:8081. */
  MICROTODO_REGISTRY_URL: envUrl({ default: "http://127.0.0.1:8081", allowEmpty: true }),
  /**
   * Whether the instance registers itself with the registry. On Kubernetes
   * the registry discovers instances from EndpointSlices, so the chart sets
   * it to false; the registry URL is still used to resolve other services.
   * Default true.
   */
  MICROTODO_SELF_REGISTER: envBoolean({ default: true }),
  /** Shared secret presented to the registry. Default "". */
  MICROTODO_REGISTRY_SECRET: envString({ default: "", allowEmpty: true }),
  /**
   * Host others use to reach this instance. Default: MICROTODO_HOST, or the
   * machine's hostname when binding every interface (0.0.0.0 or ::).
   */
  MICROTODO_ADVERTISE_HOST: envString({ default: "", allowEmpty: true }),
  /** Directory for on-disk stores. Default ./data. */
  MICROTODO_DATA_DIR: envString({ default: "./data" }),
  /** How long in-flight calls may run after SIGTERM. Default 10000. */
  MICROTODO_SHUTDOWN_TIMEOUT_MS: envDurationMs({ default: 10_000 }),
};

/**
 * Fills defaults that depend on other variables; runs after camelCasing.
 * Only touches keys the schema has, so schemas without commonConfig pass through.
 */
export function applyDerivedDefaults(config: Record<string, unknown>): void {
  if (config.advertiseHost !== "" || typeof config.host !== "string") return;
  const wildcard = config.host === "0.0.0.0" || config.host === "::";
  config.advertiseHost = wildcard ? hostname() : config.host;
}
