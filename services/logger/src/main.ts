import {
  createLogger,
  createRegistryClient,
  loadConfig,
  registrationHooks,
  runService,
} from "@microtodo/kit";
import { createLoggerApp } from "./logger-app.js";
import { loggerConfigSchema } from "./logger-config.js";
import { logStorePath, openLogStore } from "./store/log-store.js";
import { startRetention } from "./store/retention.js";

const config = loadConfig(loggerConfigSchema);
// The logger's own records go to stdout only, never through a log
// shipper: shipping them to itself would turn each Push into more Pushes,
// and they matter most exactly when the store is failing.
const logger = createLogger({
  service: "logger",
  instance: config.instance,
  level: config.logLevel,
});

const store = openLogStore({
  path: logStorePath(config.dataDir, config.instance),
  sync: config.loggerSync,
});
logger.info({ path: store.path, storeId: store.storeId }, "log store opened");
const retention = startRetention(store, {
  maxAgeMs: config.loggerMaxAgeMs,
  maxBytes: config.loggerMaxBytes,
  onPass: (pass) => logger.info(pass, "retention pass"),
  onError: (err) => logger.error({ err }, "retention pass failed"),
});

const registry = createRegistryClient({
  registryUrl: config.registryUrl,
  secret: config.registrySecret,
  logger,
});
const app = await createLoggerApp({ instance: config.instance, logger, store });

await runService({
  logger,
  server: app.server,
  listen: { host: config.host, port: config.port },
  shutdownTimeoutMs: config.shutdownTimeoutMs,
  ...registrationHooks({
    client: registry,
    config,
    logger,
    spec: { serviceType: "logger", visibility: "internal" },
  }),
  onShutdown: async () => {
    await retention.stop();
    store.close();
  },
});
