import type { Client } from "@connectrpc/connect";
import { createClient, createRouterTransport } from "@connectrpc/connect";
import { AuthService } from "@microtodo/api/auth";
import type { Logger } from "pino";
import { pino } from "pino";
import type { AuthCore, AuthSettings } from "../accounts/auth-core.js";
import { createAuthCore } from "../accounts/auth-core.js";
import { MIN_HASH_PARAMS } from "../passwords/password-hasher.js";
import { createAuthService } from "../rpc/auth-service.js";
import type { AuthStore } from "../store/auth-store.js";
import { createSqliteAuthStore } from "../store/sqlite-auth-store.js";

/** Settings for tests: the cheapest hash OWASP allows, production lifetimes. */
export const testSettings: AuthSettings = {
  issuer: "microtodo-auth",
  audience: "microtodo",
  accessTokenTtlMs: 15 * 60_000,
  refreshTokenTtlMs: 30 * 86_400_000,
  hashParams: MIN_HASH_PARAMS,
  keyReloadIntervalMs: 30_000,
  clockToleranceMs: 5_000,
  throttle: {
    accountThreshold: 5,
    addressThreshold: 20,
    baseDelayMs: 1_000,
    maxDelayMs: 900_000,
    failureWindowMs: 86_400_000,
  },
};

/** An auth service driven in memory through a Connect client. */
export interface AuthHarness {
  readonly store: AuthStore;
  readonly core: AuthCore;
  readonly client: Client<typeof AuthService>;
  readonly logger: Logger;
  close(): Promise<void>;
}

/** Options of startAuthHarness. */
export interface AuthHarnessOptions {
  /** Default: a fresh in-memory SQLite store. */
  readonly store?: AuthStore;
  readonly settings?: Partial<AuthSettings>;
  readonly now?: () => number;
}

/** Builds core, handlers and a client over createRouterTransport (no sockets). */
export async function startAuthHarness(
  options: AuthHarnessOptions = {},
): Promise<AuthHarness> {
  const store = options.store ?? createSqliteAuthStore({ path: ":memory:" });
  const logger = pino({ level: "silent" });
  const core = await createAuthCore({
    store,
    settings: { ...testSettings, ...options.settings },
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  const transport = createRouterTransport((router) => {
    router.service(AuthService, createAuthService({ core, logger }));
  });
  return {
    store,
    core,
    logger,
    client: createClient(AuthService, transport),
    close: () => store.close(),
  };
}
