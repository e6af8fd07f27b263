import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { LoggerService } from "@microtodo/api/logger";
import {
  createLoggerService,
  type LoggerServiceDeps,
} from "../service/logger-service.js";

/** A LoggerService listening on a real socket. */
export interface ServedLogger {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and cuts open connections (Tail streams included). */
  close(): Promise<void>;
}

/**
 * Serves the LoggerService alone on plain node:http (HTTP/1.1, Connect
 * and gRPC-Web). For tests, the crash fixture and the benchmark, which
 * need a real socket without the rest of a service (health, metrics,
 * registration); main.ts serves it through the kit's server instead.
 */
export function serveLogger(
  deps: LoggerServiceDeps,
  listen: { host?: string; port?: number } = {},
): Promise<ServedLogger> {
  const shutdown = new AbortController();
  const handler = connectNodeAdapter({
    routes: (router) => {
      router.service(
        LoggerService,
        createLoggerService({ shutdownSignal: shutdown.signal, ...deps }),
      );
    },
    readMaxBytes: 32 * 1024 ** 2,
  });
  const server = createServer(handler);
  const host = listen.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port: listen.port ?? 0 }, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close: () => closeServer(server, shutdown),
      });
    });
  });
}

function closeServer(server: Server, shutdown: AbortController): Promise<void> {
  shutdown.abort();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
