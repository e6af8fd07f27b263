import type { Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import {
  createHttpKeySource,
  createRegistryClient,
  createServiceLogging,
  createTokenVerifier,
  loadConfig,
  registrationHooks,
  runService,
} from "@microtodo/kit";
import { REST_ROUTE_PREFIX } from "./rest/rest-task.js";
import { openTodoStore } from "./store/open-todo-store.js";
import { createTodoApp } from "./todo-app.js";
import { todoConfigSchema } from "./todo-config.js";
import { createAuthUserDirectory } from "./users/auth-user-directory.js";

const config = loadConfig(todoConfigSchema);
const logging = createServiceLogging({
  service: "todo",
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

// Auth is found through the registry unless MICROTODO_AUTH_URL pins it.
const authUrl = () =>
  config.authUrl !== "" ? Promise.resolve(config.authUrl) : registry.resolveUrl("auth");
const transports = new Map<string, Transport>();
async function authTransport(): Promise<Transport> {
  const baseUrl = await authUrl();
  let transport = transports.get(baseUrl);
  if (!transport) {
    transport = createConnectTransport({ baseUrl, httpVersion: "1.1" });
    transports.set(baseUrl, transport);
  }
  return transport;
}

const { store, kind } = openTodoStore({
  redisUrl: config.redisUrl,
  dataDir: config.dataDir,
});
logger.info({ store: kind }, "store opened");
const { server } = await createTodoApp({
  instance: config.instance,
  logger,
  store,
  verifier: createTokenVerifier({ keySource: createHttpKeySource({ baseUrl: authUrl }) }),
  directory: createAuthUserDirectory({ transport: authTransport }),
});

await runService({
  logger,
  server,
  listen: { host: config.host, port: config.port },
  shutdownTimeoutMs: config.shutdownTimeoutMs,
  ...registrationHooks({
    client: registry,
    config,
    logger,
    spec: {
      serviceType: "todo",
      visibility: "public",
      weight: config.weight,
      httpRoutes: [REST_ROUTE_PREFIX],
      metadata: { store: kind },
    },
  }),
  onShutdown: async () => {
    await store.close();
    await logging.close();
  },
});
