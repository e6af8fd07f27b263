// A tiny service built only from the kit's public API, run as a child
// process by run-service.test.ts: node --conditions source --import tsx.

import {
  commonConfig,
  createLogger,
  createServiceServer,
  envPort,
  loadConfig,
  loggerFromContext,
  runService,
} from "@microtodo/kit";
import { z } from "zod";
import { TestService, testServiceImpl } from "../../testing/test-service.js";

const config = loadConfig(
  z.object({ ...commonConfig, MICROTODO_PORT: envPort({ default: 0 }) }),
);
const logger = createLogger({
  service: "fixture",
  instance: config.instance,
  level: config.logLevel,
  pretty: false,
});
const server = await createServiceServer({
  service: "fixture",
  instance: config.instance,
  logger,
  routes: (router) =>
    router.service(TestService, {
      ...testServiceImpl,
      sleep: (request, ctx) => {
        // The test waits for this line before it sends the signal.
        loggerFromContext(ctx).info({ ms: request.value }, "sleep started");
        return testServiceImpl.sleep(request, ctx);
      },
    }),
});
await runService({
  logger,
  server,
  listen: { host: config.host, port: config.port },
  shutdownTimeoutMs: config.shutdownTimeoutMs,
  onShutdown: async () => logger.info("onShutdown ran"),
});
