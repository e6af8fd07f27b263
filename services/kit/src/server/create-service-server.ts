import type { AddressInfo } from "node:net";
import {
  Code,
  ConnectError,
  type ConnectRouter,
  createContextValues,
  type Interceptor,
} from "@connectrpc/connect";
import { fastifyConnectPlugin } from "@connectrpc/connect-fastify";
import { Health } from "@microtodo/api/health";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerFactory,
  LogController,
} from "fastify";
import type { Logger } from "pino";
import { createHealthService } from "../health/health-service.js";
import { HealthStatus, ServingStatus } from "../health/health-status.js";
import { createMetrics, type Metrics } from "../metrics/create-metrics.js";
import { useBufferTextEncoding } from "./buffer-text-encoding.js";
import {
  createDualProtocolServer,
  type DualProtocolServer,
  type Http1RequestHandler,
} from "./dual-protocol-server.js";
import { applyHttpDefaults } from "./http-defaults.js";
import { addProbeRoutes } from "./probe-routes.js";
import { requestInfoKey } from "./request-context.js";
import { genRequestId, installRequestHooks } from "./request-hooks.js";
import { rpcObserver } from "./rpc-observer.js";
import { createUnaryFastPath, type UnaryFastPath } from "./unary-fast-path.js";
import { UnaryRoutes } from "./unary-routes.js";

/** Options for {@link createServiceServer}. */
export interface ServiceServerOptions {
  /** Service name (logs, metrics). */
  service: string;
  /** Instance name (logs, metrics). */
  instance: string;
  /** The service's logger; requests log through children carrying `reqId`. */
  logger: Logger;
  /** Default: a fresh createMetrics({ service, instance }). */
  metrics?: Metrics;
  /** Default: a fresh HealthStatus, NOT_SERVING until ready. */
  health?: HealthStatus;
  /** Registers the service's Connect services (grpc.health.v1 is added by the kit). */
  routes?: (router: ConnectRouter) => void;
  /** Adds plain HTTP routes or plugins (such as a REST facade) to the fastify app. */
  configure?: (app: FastifyInstance) => void | Promise<void>;
  /** Largest request body, and largest single RPC message. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Extra Connect interceptors, run inside the kit's observer. Default none. */
  interceptors?: Interceptor[];
  /** Turn ready (SERVING, /readyz 200) as soon as listen() succeeds. Default true. */
  readyOnListen?: boolean;
  /** Idle HTTP/1.1 keep-alive timeout; keep it above clients' pool idle time. Default 72000. */
  keepAliveTimeoutMs?: number;
  /**
   * Answers at least this large are compressed for clients that accept it.
   * Default 65536: services answer over loopback or a LAN, where gzipping a
   * page of tasks costs more CPU on both ends than the bytes it saves (Connect's
   * own default, 1024, compresses nearly every list). Answering uncompressed
   * is always allowed, whatever a client accepts.
   */
  compressMinBytes?: number;
  /**
   * Serve unary Connect calls over HTTP/1.1 without fastify and Connect's
   * Node adapter (see unary-fast-path.ts): about half the CPU per call.
   * fastify hooks a service adds in `configure` do not run for those calls,
   * so a service whose RPCs rely on such a hook leaves this off; the kit's
   * own request id, logging, metrics and RequestInfo (peerAddress included)
   * work on both paths. Default false.
   */
  unaryFastPath?: boolean;
  /**
   * Encode protobuf strings with Buffer.from (a process-wide protobuf-es
   * setting, same bytes, cheaper for many small strings). Default true.
   */
  bufferTextEncoding?: boolean;
}

/** Where a server listens. */
export interface ListenOptions {
  host: string;
  port: number;
}

/** The address a server actually bound (port 0 resolved). */
export interface ListenAddress {
  host: string;
  port: number;
  /** `http://host:port`, IPv6 hosts in brackets. */
  url: string;
}

/** Options for {@link ServiceServer.close}. */
export interface CloseOptions {
  /**
   * How long in-flight calls may run. At the deadline handlers' signals abort
   * (clients get UNAVAILABLE) and 500 ms later every connection is destroyed.
   * Default 10000.
   */
  timeoutMs?: number;
}

/** A built, not yet listening, service server. */
export interface ServiceServer {
  readonly app: FastifyInstance;
  readonly health: HealthStatus;
  readonly metrics: Metrics;
  /** The one-port HTTP/1.1 + h2c listener under fastify. */
  readonly server: DualProtocolServer;
  /** Aborted when close() starts. */
  readonly drainSignal: AbortSignal;
  /** True while SERVING and not draining. */
  readonly ready: boolean;
  listen(options: ListenOptions): Promise<ListenAddress>;
  /** Drains and closes; safe to call more than once. */
  close(options?: CloseOptions): Promise<void>;
  /** Flips readiness: /readyz and every grpc.health.v1 status. No effect once draining. */
  setReady(ready: boolean): void;
}

const forceCloseGraceMs = 500;
const defaultCompressMinBytes = 64 * 1024;

/** What the server's parts share: health, metrics and the two shutdown signals. */
interface ServerState {
  health: HealthStatus;
  metrics: Metrics;
  /** Aborted when close() starts. */
  drain: AbortController;
  /** Aborted at the drain deadline; aborts every handler's signal. */
  shutdown: AbortController;
}

/**
 * Builds a service's HTTP server: fastify with the Connect routes (Connect,
 * gRPC, gRPC-Web), grpc.health.v1, /healthz, /readyz and /metrics, on one
 * port for HTTP/1.1 and h2c. It does not listen, so tests can use port 0.
 */
export async function createServiceServer(
  options: ServiceServerOptions,
): Promise<ServiceServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  if (options.bufferTextEncoding !== false) useBufferTextEncoding();
  const state: ServerState = {
    health: options.health ?? new HealthStatus(),
    metrics:
      options.metrics ??
      createMetrics({ service: options.service, instance: options.instance }),
    drain: new AbortController(),
    shutdown: new AbortController(),
  };
  const compressMinBytes = options.compressMinBytes ?? defaultCompressMinBytes;
  const interceptors = [rpcObserver(state.metrics), ...(options.interceptors ?? [])];
  const unaryRoutes = new UnaryRoutes(maxBodyBytes);
  const fastPath =
    options.unaryFastPath !== true
      ? undefined
      : createUnaryFastPath({
          routes: unaryRoutes,
          interceptors,
          logger: options.logger,
          metrics: state.metrics,
          drainSignal: state.drain.signal,
          shutdownSignal: state.shutdown.signal,
          compressMinBytes,
        });
  const { app, server } = createFastify(options, maxBodyBytes, fastPath);
  const requestInfo = installRequestHooks(app, state.metrics, state.drain.signal);
  addProbeRoutes(app, state.health, state.metrics);
  await app.register(fastifyConnectPlugin, {
    routes: (connectRouter) => {
      const router = unaryRoutes.recording(connectRouter);
      router.service(Health, createHealthService(state.health));
      options.routes?.(router);
      registerHealthNames(router, state.health);
    },
    interceptors,
    readMaxBytes: maxBodyBytes,
    compressMinBytes,
    shutdownSignal: state.shutdown.signal,
    contextValues: (request) =>
      createContextValues().set(requestInfoKey, requestInfo(request)),
  });
  applyHttpDefaults(app);
  await options.configure?.(app);
  await app.ready();
  return toServiceServer(app, server(), state, options);
}

function createFastify(
  options: ServiceServerOptions,
  maxBodyBytes: number,
  fastPath: UnaryFastPath | undefined,
) {
  let server: DualProtocolServer | undefined;
  const serverFactory = (fastify: Http1RequestHandler) => {
    const handler: Http1RequestHandler =
      fastPath === undefined
        ? fastify
        : (req, res) => {
            if (!fastPath.tryHandle(req, res)) fastify(req, res);
          };
    server = createDualProtocolServer(handler, undefined, {
      keepAliveTimeoutMs: options.keepAliveTimeoutMs,
    });
    // fastify only calls listen/close/address/closeIdleConnections on it,
    // which a DualProtocolServer has; its types want an http.Server.
    return server as unknown;
  };
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // The kit logs each request once itself (request-logging.ts).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: maxBodyBytes,
    serverFactory: serverFactory as FastifyServerFactory,
    genReqId: genRequestId,
  });
  const getServer = (): DualProtocolServer => {
    if (server === undefined) throw new Error("fastify did not call serverFactory");
    return server;
  };
  return { app, server: getServer };
}

function toServiceServer(
  app: FastifyInstance,
  server: DualProtocolServer,
  state: ServerState,
  options: ServiceServerOptions,
): ServiceServer {
  const { health, drain } = state;
  let closing: Promise<void> | undefined;
  const serviceServer: ServiceServer = {
    app,
    health,
    metrics: state.metrics,
    server,
    drainSignal: drain.signal,
    get ready() {
      return !health.drained && health.get("") === ServingStatus.SERVING;
    },
    setReady(ready) {
      health.setAll(ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    },
    async listen({ host, port }) {
      await app.listen({ host, port });
      if (options.readyOnListen !== false) serviceServer.setReady(true);
      return toListenAddress(host, (server.address() as AddressInfo).port);
    },
    close(closeOptions = {}) {
      closing ??= drainAndClose(app, server, state, closeOptions.timeoutMs ?? 10_000);
      return closing;
    },
  };
  return serviceServer;
}

async function drainAndClose(
  app: FastifyInstance,
  server: DualProtocolServer,
  state: ServerState,
  timeoutMs: number,
): Promise<void> {
  state.health.drain();
  state.drain.abort();
  let forceTimer: NodeJS.Timeout | undefined;
  const deadline = setTimeout(() => {
    state.shutdown.abort(new ConnectError("server is shutting down", Code.Unavailable));
    forceTimer = setTimeout(() => server.closeAllConnections(), forceCloseGraceMs);
  }, timeoutMs);
  try {
    await app.close();
  } finally {
    clearTimeout(deadline);
    clearTimeout(forceTimer);
  }
}

function registerHealthNames(router: ConnectRouter, health: HealthStatus): void {
  const overall = health.get("") ?? ServingStatus.NOT_SERVING;
  for (const handler of router.handlers) {
    const name = handler.service.typeName;
    if (health.get(name) === undefined) health.set(name, overall);
  }
}

function toListenAddress(host: string, port: number): ListenAddress {
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return { host, port, url: `http://${urlHost}:${port}` };
}
