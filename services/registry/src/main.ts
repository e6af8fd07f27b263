// The registry process: reads its configuration, starts both listeners,
// health checks and lease sweeps, and drains on SIGTERM/SIGINT. The
// registry does not register itself anywhere.
import {
  createLogger,
  createMetrics,
  loadConfig,
  type RunnableServer,
  runService,
} from "@microtodo/kit";
import { registryConfigSchema } from "./config.js";
import { createRegistryApp } from "./registry-app.js";

const config = loadConfig(registryConfigSchema);
const logger = createLogger({
  service: "registry",
  instance: config.instance,
  level: config.logLevel,
});
const metrics = createMetrics({ service: "registry", instance: config.instance });
const app = createRegistryApp({ config, logger, metrics });

// The registry has two listeners and no fastify app: listen() starts both
// and reports the public one.
const server: RunnableServer = {
  listen: async () => (await app.start()).public,
  close: (options) => app.close(options?.timeoutMs),
};

await runService({
  logger,
  server,
  listen: { host: config.publicHost, port: config.publicPort },
  shutdownTimeoutMs: config.shutdownTimeoutMs,
});
