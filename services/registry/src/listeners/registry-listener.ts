import type { IncomingMessage, ServerResponse } from "node:http";
import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { createServer as createHttp2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import type { ConnectRouter } from "@connectrpc/connect";
import { RegistryService } from "@microtodo/api/registry";
import {
  createDualProtocolServer,
  type DualProtocolServer,
  type HealthStatus,
  type Metrics,
} from "@microtodo/kit";
import type { Logger } from "pino";
import type { ListenerKind, RegistryServiceOptions } from "../api/registry-service.js";
import { createRegistryService } from "../api/registry-service.js";
import { createProxy } from "../proxy/create-proxy.js";
import type { ProxyOptions } from "../proxy/proxy-options.js";
import type { UpstreamSelector } from "../proxy/upstream-selector.js";
import { createLocalHandler, isLocalPath } from "./local-handler.js";

/** Options of createRegistryListener. */
export interface RegistryListenerOptions
  extends Omit<RegistryServiceOptions, "listener"> {
  readonly kind: ListenerKind;
  readonly selector: UpstreamSelector;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Shared by both listeners: "" is SERVING while the registry serves. */
  readonly health: HealthStatus;
  readonly proxyOptions?: ProxyOptions;
}

/** Where a listener listens. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

/** One of the registry's two listeners. */
export interface RegistryListener {
  readonly kind: ListenerKind;
  readonly server: DualProtocolServer;
  listen(host: string, port: number): Promise<ListenAddress>;
  /** Stops accepting and waits for open calls (and upstream connections)
   * to finish; `deadlineMs` later, cuts every connection. */
  close(deadlineMs: number): Promise<void>;
}

/**
 * One registry listener: HTTP/1.1 and h2c on one port, answering its own
 * paths (RegistryService with this listener's permissions, health, probes,
 * metrics) and proxying everything else to the instances.
 */
export function createRegistryListener(
  options: RegistryListenerOptions,
): RegistryListener {
  const { kind, logger } = options;
  const registryService = createRegistryService({ ...options, listener: kind });
  const shutdown = new AbortController();
  const local = createLocalHandler({
    shutdownSignal: shutdown.signal,
    routes: (router: ConnectRouter) => router.service(RegistryService, registryService),
    health: options.health,
    metrics: options.metrics,
  });
  const proxy = createProxy({
    selector: options.selector,
    listener: kind,
    logger: logger.child({ listener: kind }),
    metrics: options.metrics.registry,
    options: options.proxyOptions,
  });
  // Local calls over HTTP/2 need Node's compat request and response, which
  // only an http2 server's own stream handling builds: this one never
  // listens and only ever sees the streams handed to it.
  const localHttp2 = createHttp2Server(local);
  const onHttp1 = (req: IncomingMessage, res: ServerResponse) => {
    if (isLocalPath(req.url ?? "/")) local(req, res);
    else proxy.handleHttp1(req, res);
  };
  const onStream = (
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    flags: number,
    rawHeaders?: string[],
  ) => {
    if (isLocalPath(headers[":path"] ?? "/")) {
      localHttp2.emit("stream", stream, headers, flags, rawHeaders);
    } else proxy.handleHttp2(stream, headers);
  };
  const server = createDualProtocolServer(onHttp1, { stream: onStream });
  return {
    kind,
    server,
    listen: (host, port) => listen(server, host, port),
    async close(deadlineMs) {
      shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const cut = setTimeout(() => server.closeAllConnections(), deadlineMs);
      await closed;
      clearTimeout(cut);
      await proxy.close();
    },
  };
}

function listen(
  server: DualProtocolServer,
  host: string,
  port: number,
): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address() as AddressInfo;
      const shownHost =
        address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolve({
        host: address.address,
        port: address.port,
        url: `http://${shownHost}:${address.port}`,
      });
    });
  });
}
