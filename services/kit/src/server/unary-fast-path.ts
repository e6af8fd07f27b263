import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import {
  Code,
  ConnectError,
  createContextValues,
  type HandlerContext,
  type Interceptor,
} from "@connectrpc/connect";
import { invokeUnaryImplementation } from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus,
  errorToJsonBytes,
  parseContentType,
  trailerMux,
} from "@connectrpc/connect/protocol-connect";
import { compressionGzip } from "@connectrpc/connect-node";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/create-metrics.js";
import { type RequestInfo, type RpcOutcome, requestInfoKey } from "./request-context.js";
import { genRequestId } from "./request-hooks.js";
import { requestIdHeader } from "./request-id.js";
import { logFinishedRequest } from "./request-logging.js";
import { readUnaryBody } from "./unary-body.js";
import type { UnaryRoute, UnaryRoutes } from "./unary-routes.js";

/** What the fast path shares with the rest of the server. */
export interface UnaryFastPathOptions {
  readonly routes: UnaryRoutes;
  /** The same interceptors, in the same order, as Connect's handlers run. */
  readonly interceptors: readonly Interceptor[];
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Aborted when the server starts draining: new calls then go to fastify. */
  readonly drainSignal: AbortSignal;
  /** Aborted at the drain deadline; aborts every call's signal. */
  readonly shutdownSignal: AbortSignal;
  /** Answers at least this large are gzipped for clients that accept gzip. */
  readonly compressMinBytes: number;
}

/** Serves the commonest call itself; see {@link createUnaryFastPath}. */
export interface UnaryFastPath {
  /** Takes the request and returns true, or leaves it alone and returns false. */
  tryHandle(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * Serves unary Connect calls over HTTP/1.1 (POST, binary or JSON, no request
 * compression, no timeout header) without fastify and without Connect's
 * Node adapter, which together cost several times what the call itself
 * does: per call they build two AbortControllers and abort both when the
 * call ends (each abort makes a DOMException with a stack trace), wrap the
 * body in async iterables and run fastify's routing, hooks and per-request
 * child logger. The call runs through Connect's own parsers, serializers,
 * interceptors and error encoding, so answers are the same. Everything else
 * (gRPC, gRPC-Web, streams, GET, compressed requests, deadlines, HTTP/2,
 * calls arriving while the server drains) goes to fastify and Connect.
 */
export function createUnaryFastPath(options: UnaryFastPathOptions): UnaryFastPath {
  return {
    tryHandle(req, res) {
      if (req.method !== "POST" || req.httpVersionMajor !== 1) return false;
      if (options.drainSignal.aborted) return false;
      const route = options.routes.get(req.url ?? "");
      if (route === undefined) return false;
      const binary = acceptedFormat(req.headers);
      if (binary === undefined) return false;
      void serveCall(options, route, binary, req, res);
      return true;
    },
  };
}

/** True for binary, false for JSON, undefined for what Connect should handle. */
function acceptedFormat(headers: IncomingHttpHeaders): boolean | undefined {
  const encoding = headers["content-encoding"];
  if (encoding !== undefined && encoding !== "identity") return undefined;
  if (headers["connect-timeout-ms"] !== undefined) return undefined;
  const version = headers["connect-protocol-version"];
  if (version !== undefined && version !== "1") return undefined;
  const type = parseContentType(headers["content-type"] ?? null);
  return type === undefined || type.stream ? undefined : type.binary;
}

async function serveCall(
  options: UnaryFastPathOptions,
  route: UnaryRoute,
  binary: boolean,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const startedAt = performance.now();
  const info = new CallInfo(
    genRequestId(req),
    options.logger,
    options.drainSignal,
    req.socket.remoteAddress,
  );
  const call = new CallSignal(options.shutdownSignal, res);
  const context = handlerContext(route, req, binary, call.signal, info);
  let status = 200;
  let body: Uint8Array;
  try {
    const bytes = await readUnaryBody(req, options.routes.readMaxBytes);
    const input = route.serialization.getI(binary).parse(bytes);
    const output = await invokeUnaryImplementation(
      route.spec,
      context,
      input,
      options.interceptors as Interceptor[],
    );
    body = route.serialization.getO(binary).serialize(output);
  } catch (e) {
    const error = toConnectError(e);
    status = codeToHttpStatus(error.code);
    context.responseHeader.set("content-type", "application/json");
    for (const [key, value] of error.metadata) context.responseHeader.set(key, value);
    body = errorToJsonBytes(error, undefined);
  } finally {
    call.done();
  }
  body = await compressIfWorth(options, req.headers, context.responseHeader, body);
  respond(
    res,
    status,
    info.requestId,
    trailerMux(context.responseHeader, context.responseTrailer),
    body,
  );
  res.once("finish", () => finish(options, route, req, res, info, startedAt));
}

function handlerContext(
  route: UnaryRoute,
  req: IncomingMessage,
  binary: boolean,
  signal: AbortSignal,
  info: RequestInfo,
): HandlerContext {
  const method = route.spec.method;
  return {
    method,
    service: method.parent,
    signal,
    timeoutMs: () => undefined,
    requestMethod: "POST",
    requestHeader: webHeaders(req.headers),
    responseHeader: new Headers({
      "content-type": binary ? "application/proto" : "application/json",
    }),
    responseTrailer: new Headers(),
    protocolName: "connect",
    values: createContextValues().set(requestInfoKey, info),
    url: `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`,
  };
}

function webHeaders(headers: IncomingHttpHeaders): Headers {
  const web = new Headers();
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === "string") web.append(name, value);
    else if (value !== undefined) for (const item of value) web.append(name, item);
  }
  return web;
}

function toConnectError(e: unknown): ConnectError {
  if (e instanceof ConnectError) return e;
  return new ConnectError("internal error", Code.Internal, undefined, undefined, e);
}

async function compressIfWorth(
  options: UnaryFastPathOptions,
  requestHeaders: IncomingHttpHeaders,
  responseHeader: Headers,
  body: Uint8Array,
): Promise<Uint8Array> {
  if (body.byteLength < options.compressMinBytes) return body;
  const accepted = requestHeaders["accept-encoding"] ?? "";
  if (!/(^|[\s,])gzip($|[\s,;])/i.test(accepted)) return body;
  responseHeader.set("content-encoding", "gzip");
  return compressionGzip.compress(body);
}

function respond(
  res: ServerResponse,
  status: number,
  requestId: string,
  header: Headers,
  body: Uint8Array,
): void {
  if (res.destroyed) return;
  const raw = [requestIdHeader, requestId, "content-length", String(body.byteLength)];
  for (const [name, value] of header) raw.push(name, value);
  res.writeHead(status, raw);
  res.end(body);
}

function finish(
  options: UnaryFastPathOptions,
  route: UnaryRoute,
  req: IncomingMessage,
  res: ServerResponse,
  info: CallInfo,
  startedAt: number,
): void {
  const finished = {
    method: "POST",
    url: req.url ?? route.path,
    route: route.path,
    statusCode: res.statusCode,
    durationMs: performance.now() - startedAt,
  };
  logFinishedRequest(finished, info, options.metrics, {
    levels: options.logger,
    request: () => info.logger,
  });
}

/** A call's {@link RequestInfo}; the child logger is made on first use. */
class CallInfo implements RequestInfo {
  outcome?: RpcOutcome;
  error?: unknown;
  #logger: Logger | undefined;

  constructor(
    readonly requestId: string,
    readonly parentLogger: Logger,
    readonly drainSignal: AbortSignal,
    readonly peerAddress: string | undefined,
  ) {}

  get logger(): Logger {
    this.#logger ??= this.parentLogger.child({ reqId: this.requestId });
    return this.#logger;
  }
}

/**
 * The handler's signal: aborted when the client goes away before its answer
 * or at the server's drain deadline, never on an ordinary end (an abort
 * costs a DOMException, and nothing listens once the call is over).
 */
class CallSignal {
  readonly #controller = new AbortController();
  readonly #shutdown: AbortSignal;
  readonly #res: ServerResponse;
  readonly #onShutdown = () => this.#controller.abort(this.#shutdown.reason);
  readonly #onClose = () => {
    if (!this.#res.writableEnded) {
      this.#controller.abort(
        new ConnectError("client closed the connection", Code.Canceled),
      );
    }
  };

  constructor(shutdown: AbortSignal, res: ServerResponse) {
    this.#shutdown = shutdown;
    this.#res = res;
    if (shutdown.aborted) this.#onShutdown();
    else shutdown.addEventListener("abort", this.#onShutdown, { once: true });
    res.once("close", this.#onClose);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  done(): void {
    this.#shutdown.removeEventListener("abort", this.#onShutdown);
    this.#res.off("close", this.#onClose);
  }
}
