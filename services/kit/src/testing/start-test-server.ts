import { createLogger } from "../logging/create-logger.js";
import {
  createServiceServer,
  type ListenAddress,
  type ServiceServer,
  type ServiceServerOptions,
} from "../server/create-service-server.js";
import { createMemoryLog, type MemoryLog } from "./memory-log.js";
import { TestService, testServiceImpl } from "./test-service.js";

/** A listening kit server for tests, with its captured log. */
export interface TestServer {
  server: ServiceServer;
  address: ListenAddress;
  log: MemoryLog;
}

/**
 * Builds a kit server serving TestService on 127.0.0.1, port 0, logging at
 * debug into memory. Options override the defaults; close it in teardown.
 */
export async function startTestServer(
  options: Partial<ServiceServerOptions> = {},
): Promise<TestServer> {
  const log = createMemoryLog();
  const logger = createLogger({
    service: "kit-test",
    instance: "kit-test-1",
    level: "debug",
    stdout: log,
  });
  const server = await createServiceServer({
    service: "kit-test",
    instance: "kit-test-1",
    logger,
    routes: (router) => router.service(TestService, testServiceImpl),
    ...options,
  });
  const address = await server.listen({ host: "127.0.0.1", port: 0 });
  return { server, address, log };
}
