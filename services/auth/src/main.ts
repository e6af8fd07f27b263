// Starts the auth service: config, store, domain, server, registration.
import {
  createRegistryClient,
  createServiceLogging,
  JWKS_PATH,
  loadConfig,
  registrationHooks,
  runService,
} from "@microtodo/kit";
import type { Logger } from "pino";
import { createAuthCore } from "./accounts/auth-core.js";
import { bootstrapAdmin } from "./accounts/bootstrap-admin.js";
import { authConfigSchema, toAuthSettings } from "./config/auth-config.js";
import { ConfigProblem } from "./config/config-problem.js";
import { createAuthServer } from "./server/create-auth-server.js";
import type { AuthStore } from "./store/auth-store.js";
import { openAuthStore } from "./store/open-auth-store.js";

/** How often expired sessions and counters are deleted (SQLite; Redis expires keys). */
const PRUNE_INTERVAL_MS = 3_600_000;

async function main(): Promise<void> {
  const config = loadConfig(authConfigSchema);
  const logging = createServiceLogging({
    service: "auth",
    instance: config.instance,
    level: config.logLevel,
    registryUrl: config.registryUrl,
  });
  const { logger } = logging;
  const store = openAuthStore({
    redisUrl: config.redisUrl,
    dataDir: config.dataDir,
    logger,
  });
  const core = await createAuthCore({ store, settings: toAuthSettings(config), logger });
  await bootstrapAdmin({
    core,
    store,
    logger,
    username: config.adminUsername,
    ...(config.adminPassword ? { password: config.adminPassword } : {}),
    resetPassword: config.adminResetPassword,
  });
  const server = await createAuthServer({ core, logger, instance: config.instance });
  const pruning = startPruning(store, logger);
  await runService({
    logger,
    server,
    listen: { host: config.host, port: config.port },
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    // Public, with the JWKS path routed to auth too.
    ...registrationHooks({
      client: createRegistryClient({
        registryUrl: config.registryUrl,
        secret: config.registrySecret,
        logger,
      }),
      config,
      logger,
      spec: { serviceType: "auth", visibility: "public", httpRoutes: [JWKS_PATH] },
    }),
    onShutdown: async () => {
      clearInterval(pruning);
      await store.close();
      await logging.close();
    },
  });
}

function startPruning(store: AuthStore, logger: Logger): NodeJS.Timeout {
  const timer = setInterval(() => {
    store
      .pruneExpired(Date.now())
      .catch((err: unknown) => logger.warn({ err }, "prune failed"));
  }, PRUNE_INTERVAL_MS);
  timer.unref();
  return timer;
}

main().catch((err: unknown) => {
  if (err instanceof ConfigProblem) {
    // The same report and exit code as a variable loadConfig refuses.
    process.stderr.write(`invalid configuration (1 problem(s)):\n  ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `auth: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(1);
});
