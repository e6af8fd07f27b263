// The registry process: reads its configuration, starts both listeners,
// health checks and lease sweeps, and drains on SIGTERM/SIGINT. The
// registry does not register itself anywhere.
import {
  createLogger,
  createMetrics,
  loadConfig,
  runService,
  type ServiceServer,
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

// runService only ever calls listen() and close(). The registry has two
// listeners and no fastify app, so it offers just those two: listen()
// starts both listeners and reports the public one.
const server: Pick<ServiceServer, "listen" | "close"> = {
  listen: async () => (await app.start()).public,
  close: (options) => app.close(options?.timeoutMs),
};

await runService({
  logger,
  server: server as ServiceServer,
  listen: { host: config.publicHost, port: config.publicPort },
  shutdownTimeoutMs: config.shutdownTimeoutMs,
});
