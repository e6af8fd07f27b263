import {
  type ConfigOf,
  commonConfig,
  envDurationMs,
  envInt,
  envPort,
  envString,
} from "@microtodo/kit";
import { z } from "zod";

/** The admin server's environment: the common variables plus its own. */
export const adminConfigSchema = z.object({
  ...commonConfig,
  /** Default 8090. */
  MICROTODO_PORT: envPort({ default: 8090 }),
  /** A session unused this long ends. Default 1800 (30 minutes). */
  MICROTODO_ADMIN_SESSION_IDLE_SECONDS: envInt(1, 7 * 86_400, { default: 1800 }),
  /** A session ends this long after sign-in, used or not. Default 43200 (12 hours). */
  MICROTODO_ADMIN_SESSION_MAX_SECONDS: envInt(1, 30 * 86_400, { default: 43_200 }),
  /** How often traffic is sampled from the registry's counters. Default 2000. */
  MICROTODO_ADMIN_SAMPLE_INTERVAL_MS: envDurationMs({ default: 2000 }),
  /**
   * The built front end. Empty (default): `web` next to the running
   * main.js, which is services/admin/dist/web.
   */
  MICROTODO_ADMIN_WEB_DIR: envString({ default: "", allowEmpty: true }),
});

/** The admin server's validated, frozen configuration. */
export type AdminConfig = ConfigOf<typeof adminConfigSchema>;
