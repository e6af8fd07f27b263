import { type ConfigOf, commonConfig, envInt, envPort, envUrl } from "@microtodo/kit";
import { z } from "zod";

/** The todo service's environment: the common variables plus its own. */
export const todoConfigSchema = z.object({
  ...commonConfig,
  /** Default 8083. */
  MICROTODO_PORT: envPort({ default: 8083 }),
  /** Set: keep tasks in this Redis (redis:// or rediss://). Empty (default): SQLite. */
  MICROTODO_REDIS_URL: envUrl({
    default: "",
    allowEmpty: true,
    protocols: ["redis", "rediss"],
  }),
  /** Share of traffic the registry sends this instance, 0..1000. Default 100. */
  MICROTODO_WEIGHT: envInt(0, 1000, { default: 100 }),
  /**
   * Base URL of auth for its public keys and user lookups. Empty (default):
   * resolve an auth instance through the registry.
   */
  MICROTODO_AUTH_URL: envUrl({ default: "", allowEmpty: true }),
});

/** The todo service's validated, frozen configuration. */
export type TodoConfig = ConfigOf<typeof todoConfigSchema>;
