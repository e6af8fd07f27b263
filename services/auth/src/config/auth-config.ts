import type { ConfigOf } from "@microtodo/kit";
import {
  commonConfig,
  envBoolean,
  envDurationMs,
  envInt,
  envPort,
  envString,
  envUrl,
} from "@microtodo/kit";
import { z } from "zod";
import type { AuthSettings } from "../accounts/auth-core.js";
import { MIN_HASH_PARAMS } from "../passwords/password-hasher.js";

const DAY_MS = 86_400_000;

/** Every variable auth reads, with its default; see README.md. */
export const authConfigSchema = z
  .object({
    ...commonConfig,
    /** Default 8082. */
    MICROTODO_PORT: envPort({ default: 8082 }),
    /** Set: store in Redis; empty: SQLite at `${dataDir}/auth.sqlite`. Default "". */
    MICROTODO_REDIS_URL: envUrl({
      default: "",
      allowEmpty: true,
      protocols: ["redis", "rediss"],
    }),
    /** The first admin's username. Default "admin". */
    MICROTODO_ADMIN_USERNAME: envString({ default: "admin" }),
    /** The first admin's password; empty: generated and printed once. Default "". */
    MICROTODO_ADMIN_PASSWORD: envString({ default: "", allowEmpty: true }),
    /**
     * true: the existing admin gets MICROTODO_ADMIN_PASSWORD and the admin
     * role, and loses its sessions. Default false.
     */
    MICROTODO_ADMIN_RESET_PASSWORD: envBoolean({ default: false }),
    /** Encrypts private signing keys in the store; empty: stored plain. Default "". */
    MICROTODO_AUTH_KEY_SECRET: envString({ default: "", allowEmpty: true }),
    /** Default 15 min. */
    MICROTODO_ACCESS_TOKEN_TTL_MS: envDurationMs({ default: 15 * 60_000 }),
    /** Absolute session length. Default 30 days. */
    MICROTODO_REFRESH_TOKEN_TTL_MS: envDurationMs({ default: 30 * DAY_MS }),
    /** Argon2id memory in KiB; at least 19456 (19 MiB). Default 19456. */
    MICROTODO_ARGON2_MEMORY_KIB: envInt(MIN_HASH_PARAMS.memoryKiB, 4_194_304, {
      default: MIN_HASH_PARAMS.memoryKiB,
    }),
    /** Argon2id passes; at least 2. Default 2. */
    MICROTODO_ARGON2_TIME_COST: envInt(MIN_HASH_PARAMS.timeCost, 100, {
      default: MIN_HASH_PARAMS.timeCost,
    }),
    /** Argon2id lanes. Default 1. */
    MICROTODO_ARGON2_PARALLELISM: envInt(1, 16, { default: MIN_HASH_PARAMS.parallelism }),
    /** Failed logins per account before lockout. Default 5. */
    MICROTODO_LOGIN_ACCOUNT_THRESHOLD: envInt(1, 1000, { default: 5 }),
    /** Failed logins per client address before lockout. Default 20. */
    MICROTODO_LOGIN_ADDRESS_THRESHOLD: envInt(1, 1_000_000, { default: 20 }),
    /** First lockout; doubles per further failure. Default 1 s. */
    MICROTODO_LOGIN_BASE_DELAY_MS: envDurationMs({ default: 1_000 }),
    /** Longest lockout. Default 15 min. */
    MICROTODO_LOGIN_MAX_DELAY_MS: envDurationMs({ default: 15 * 60_000 }),
    /** Failures are forgotten this long after the last one. Default 24 h. */
    MICROTODO_LOGIN_FAILURE_WINDOW_MS: envDurationMs({ default: DAY_MS }),
  })
  .superRefine((env, ctx) => {
    const atLeast = (
      name: keyof typeof env,
      value: number,
      min: number,
      what: string,
    ) => {
      if (value < min)
        ctx.addIssue({ code: "custom", path: [name], message: `must be ${what}` });
    };
    if (env.MICROTODO_ADMIN_RESET_PASSWORD && env.MICROTODO_ADMIN_PASSWORD === "") {
      ctx.addIssue({
        code: "custom",
        path: ["MICROTODO_ADMIN_RESET_PASSWORD"],
        message: "needs MICROTODO_ADMIN_PASSWORD set to the new password",
      });
    }
    atLeast(
      "MICROTODO_ACCESS_TOKEN_TTL_MS",
      env.MICROTODO_ACCESS_TOKEN_TTL_MS,
      1_000,
      "at least 1s",
    );
    atLeast(
      "MICROTODO_REFRESH_TOKEN_TTL_MS",
      env.MICROTODO_REFRESH_TOKEN_TTL_MS,
      env.MICROTODO_ACCESS_TOKEN_TTL_MS,
      "at least MICROTODO_ACCESS_TOKEN_TTL_MS",
    );
    atLeast(
      "MICROTODO_LOGIN_FAILURE_WINDOW_MS",
      env.MICROTODO_LOGIN_FAILURE_WINDOW_MS,
      env.MICROTODO_LOGIN_MAX_DELAY_MS,
      "at least MICROTODO_LOGIN_MAX_DELAY_MS, or a lockout would outlive its count",
    );
  });

/** The validated, frozen auth configuration (camelCase keys). */
export type AuthConfig = ConfigOf<typeof authConfigSchema>;

/** How often signing keys are reread so another replica's rotation is seen. */
const KEY_RELOAD_INTERVAL_MS = 30_000;

/** The domain settings derived from the configuration. */
export function toAuthSettings(config: AuthConfig): AuthSettings {
  return {
    issuer: "microtodo-auth",
    audience: "microtodo",
    accessTokenTtlMs: config.accessTokenTtlMs,
    refreshTokenTtlMs: config.refreshTokenTtlMs,
    hashParams: {
      memoryKiB: config.argon2MemoryKib,
      timeCost: config.argon2TimeCost,
      parallelism: config.argon2Parallelism,
    },
    ...(config.authKeySecret ? { keySecret: config.authKeySecret } : {}),
    keyReloadIntervalMs: KEY_RELOAD_INTERVAL_MS,
    clockToleranceMs: 5_000,
    throttle: {
      accountThreshold: config.loginAccountThreshold,
      addressThreshold: config.loginAddressThreshold,
      baseDelayMs: config.loginBaseDelayMs,
      maxDelayMs: config.loginMaxDelayMs,
      failureWindowMs: config.loginFailureWindowMs,
    },
  };
}
