// The registry process: reads its configuration, starts both listeners,
// health checks and lease sweeps, and drains on SIGTERM/SIGINT. The
// registry does not register itself anywhere.
import {
  createMetrics,
  createServiceLogging,
  loadConfig,
  type RunnableServer,
  runService,
} from "@microtodo/kit";
import { registryConfigSchema } from "./config.js";
import { createRegistryApp } from "./registry-app.js";

const config = loadConfig(registryConfigSchema);
const metrics = createMetrics({ service: "registry", instance: config.instance });
// The registry ships its logs like every service, resolving the logger
// through its own internal listener once that listens.
const logging = createServiceLogging({
  service: "registry",
  instance: config.instance,
  level: config.logLevel,
  registryUrl: `http://${loopbackFor(config.internalHost)}:${config.internalPort}`,
  metricsRegistry: metrics.registry,
});
const { logger } = logging;
const app = createRegistryApp({ config, logger, metrics });

// The registry has two listeners and no fastify app: listen() starts both
// and reports the public one.
const server: RunnableServer = {
  listen: async () => (await app.start()).public,
  close: async (options) => {
    await app.close(options?.timeoutMs);
    await logging.close();
  },
};

await runService({
  logger,
  server,
  listen: { host: config.publicHost, port: config.publicPort },
  shutdownTimeoutMs: config.shutdownTimeoutMs,
});

/** An address to reach a listener bound to `host` from this process. */
function loopbackFor(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
