import { createServer, type Server } from "node:http";
import { createServer as createHttp2Server, type Http2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { Registry } from "prom-client";
import { createProxy, type RpcProxy } from "../create-proxy.js";
import type { ProxyLogger } from "../proxy-logger.js";
import type { ProxyOptions } from "../proxy-options.js";
import type { UpstreamSelector } from "../upstream-selector.js";

/** A proxy behind two test listeners: HTTP/1.1 and h2c on separate ports
 * (the registry's real listener serves both on one). */
export interface ProxyHarness {
  readonly proxy: RpcProxy;
  readonly registry: Registry;
  readonly http1Url: string;
  readonly http2Url: string;
  readonly http1Port: number;
  readonly http2Port: number;
  readonly warnings: { obj: object; msg: string }[];
  close(): Promise<void>;
}

export async function startProxy(
  selector: UpstreamSelector,
  listener: "public" | "internal" = "public",
  options: ProxyOptions = {},
): Promise<ProxyHarness> {
  const registry = new Registry();
  const warnings: { obj: object; msg: string }[] = [];
  const logger: ProxyLogger = {
    debug: () => undefined,
    warn: (obj, msg) => warnings.push({ obj, msg }),
  };
  const proxy = createProxy({ selector, listener, logger, metrics: registry, options });
  const http1 = createServer(proxy.handleHttp1);
  const http2 = createHttp2Server();
  http2.on("stream", proxy.handleHttp2);
  const http1Port = await listen(http1);
  const http2Port = await listen(http2);
  return {
    proxy,
    registry,
    warnings,
    http1Port,
    http2Port,
    http1Url: `http://127.0.0.1:${http1Port}`,
    http2Url: `http://127.0.0.1:${http2Port}`,
    async close() {
      http1.closeAllConnections();
      await Promise.all([closeServer(http1), closeHttp2Server(http2), proxy.close()]);
    },
  };
}

export async function listen(server: Server | Http2Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

// Http2Server.close waits for open sessions; tests close theirs first or
// rely on clients being closed, so give it a bounded wait.
export function closeHttp2Server(server: Http2Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
