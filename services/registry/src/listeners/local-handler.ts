import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Health } from "@microtodo/api/health";
import { RegistryService } from "@microtodo/api/registry";
import {
  createHealthService,
  type HealthStatus,
  type Metrics,
  rpcObserver,
  ServingStatus,
} from "@microtodo/kit";

/** A handler for requests on either HTTP version (node's compat API for h2). */
export type LocalHandler = ReturnType<typeof connectNodeAdapter>;
type NodeResponse = Parameters<LocalHandler>[1];

const localServicePrefixes = [`/${RegistryService.typeName}/`, `/${Health.typeName}/`];
const probePaths = new Set(["/healthz", "/readyz", "/metrics"]);

/** Whether the listener answers `path` itself instead of proxying it. */
export function isLocalPath(path: string): boolean {
  const query = path.indexOf("?");
  const bare = query < 0 ? path : path.slice(0, query);
  return (
    probePaths.has(bare) || localServicePrefixes.some((prefix) => bare.startsWith(prefix))
  );
}

/** Options of createLocalHandler. */
export interface LocalHandlerOptions {
  /** Registers the listener's RegistryService on the router. */
  readonly routes: (router: ConnectRouter) => void;
  readonly health: HealthStatus;
  readonly metrics: Metrics;
  /** Aborting it ends open streams (WatchInstances) so shutdown can drain. */
  readonly shutdownSignal: AbortSignal;
}

/**
 * What a registry listener serves itself: its RegistryService,
 * grpc.health.v1, /healthz (the process runs), /readyz (the registry
 * serves: SERVING in `health`) and /metrics.
 */
export function createLocalHandler(options: LocalHandlerOptions): LocalHandler {
  const { health, metrics } = options;
  return connectNodeAdapter({
    shutdownSignal: options.shutdownSignal,
    // Counts each RPC by code, and turns anything thrown that is not a
    // ConnectError into INTERNAL without leaking its message.
    interceptors: [rpcObserver(metrics)],
    routes(router) {
      options.routes(router);
      router.service(Health, createHealthService(health));
    },
    fallback(req, res) {
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/healthz") return sendText(res, 200, "ok\n");
      if (path === "/readyz") {
        const ready = health.get("") === ServingStatus.SERVING;
        return sendText(res, ready ? 200 : 503, ready ? "ready\n" : "not ready\n");
      }
      if (path === "/metrics") return void sendMetrics(res, metrics);
      sendText(res, 404, "not found\n");
    },
  });
}

function sendText(res: NodeResponse, status: number, body: string) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(body);
}

async function sendMetrics(res: NodeResponse, metrics: Metrics) {
  try {
    const body = await metrics.render();
    res.writeHead(200, { "content-type": metrics.contentType });
    res.end(body);
  } catch {
    sendText(res, 500, "metrics unavailable\n");
  }
}
