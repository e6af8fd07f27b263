import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createRegistryClient,
  createServiceLogging,
  loadConfig,
  registrationHooks,
  runService,
} from "@microtodo/kit";
import { createAdminApp } from "./admin-app.js";
import { adminConfigSchema } from "./admin-config.js";

const config = loadConfig(adminConfigSchema);
const logging = createServiceLogging({
  service: "admin",
  instance: config.instance,
  level: config.logLevel,
  registryUrl: config.registryUrl,
});
const { logger } = logging;
const registry = createRegistryClient({
  registryUrl: config.registryUrl,
  secret: config.registrySecret,
  logger,
});

// dist/main.js serves dist/web, where Vite writes the front end.
const here = dirname(fileURLToPath(import.meta.url));
const app = await createAdminApp({
  instance: config.instance,
  logger,
  registryUrl: config.registryUrl,
  registrySecret: config.registrySecret,
  resolver: registry,
  webDir: config.adminWebDir !== "" ? config.adminWebDir : join(here, "web"),
  sessionIdleMs: config.adminSessionIdleSeconds * 1000,
  sessionMaxMs: config.adminSessionMaxSeconds * 1000,
  sampleIntervalMs: config.adminSampleIntervalMs,
});

await runService({
  logger,
  server: app.server,
  listen: { host: config.host, port: config.port },
  shutdownTimeoutMs: config.shutdownTimeoutMs,
  ...registrationHooks({
    client: registry,
    config,
    logger,
    spec: { serviceType: "admin", visibility: "admin" },
  }),
  onShutdown: async () => {
    await app.stop();
    await logging.close();
  },
});
