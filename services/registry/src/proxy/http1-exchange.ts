import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { PassThrough } from "node:stream";
import type { Dispatcher } from "undici";
import { affinityKey } from "./affinity-key.js";
import {
  endAttempt,
  failBeforeAnswer,
  pickNextTarget,
  startAttempt,
} from "./attempt-accounting.js";
import { isFailure, routeCall, timeoutFromHeaders } from "./call-routing.js";
import { formatGrpcTimeout } from "./deadline.js";
import {
  type RequestFacts,
  type ResponseFacts,
  readRequestHeaders,
  readResponseHeaders,
} from "./http1-headers.js";
import type { ProxyContext } from "./proxy-context.js";
import { countCode } from "./proxy-metrics.js";
import { requestIdFrom } from "./request-id.js";
import { deadlineExceeded, type ProxyFailure, sendHttp1Failure } from "./rpc-errors.js";
import { detectProtocol, type RpcProtocol } from "./rpc-protocol.js";
import { codeFromHttpStatus } from "./upstream-errors.js";
import type { UpstreamTarget } from "./upstream-selector.js";
import type { UpstreamEntry } from "./upstream-table.js";

/** Forwards one HTTP/1.1 request to an instance over a pooled connection. */
export function forwardHttp1(
  ctx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  new Http1Exchange(ctx, req, res).start();
}

const kExchange = Symbol("http1Exchange");
type Tagged<T> = T & { [kExchange]: Http1Exchange };
const kInFlight = Symbol("http1InFlight");
type ClientSocket = Socket & { [kInFlight]?: Http1Exchange | null };

const noHeaders: string[] = [];

// Raised into undici's abort() so onError can tell why the call stopped.
const clientGone = new Error("client closed the connection");
const deadlineHit = new Error("call deadline exceeded");

/**
 * One request's trip through the proxy. It is its own undici dispatch
 * handler and holds all per-request state in fields, so the hot path
 * allocates no closures. It uses undici's original handler methods
 * (onConnect/onHeaders/onData/onComplete/onError): undici 7 still drives
 * them natively, while the newer controller API wraps every request in an
 * adapter object and parses the response headers into an object.
 */
class Http1Exchange implements RequestFacts, ResponseFacts, Dispatcher.DispatchHandler {
  contentType = "";
  contentLength = -1;
  chunked = false;
  host = "";
  requestId = "";
  forwardedFor = "";
  affinityHeader = "";
  authorization = "";
  grpcTimeout = "";
  connectTimeout = "";
  te = "";
  connection = "";
  grpcStatus = -1;

  readonly receivedAt = performance.now();
  /** Kept here: Node clears req.socket once the response is done. */
  readonly client: ClientSocket;
  protocol: RpcProtocol = "unary";
  serviceType = "";
  key: string | undefined = undefined;
  headers: string[] = noHeaders;
  body: Buffer | IncomingMessage | PassThrough | null = null;
  bodyChunks: Buffer[] | null = null;
  bodyBytes = 0;
  timeoutMs = -1;
  /** Index in `headers` of the forwarded timeout's value, -1 for none. */
  timeoutIndex = -1;
  deadlineTimer: NodeJS.Timeout | undefined = undefined;

  target: UpstreamTarget | undefined = undefined;
  entry: UpstreamEntry | undefined = undefined;
  attempt = 0;
  dispatchedAt = 0;
  status = 0;
  abortUpstream: ((err?: Error) => void) | null = null;
  resumeUpstream: (() => void) | null = null;
  stopReason: Error | null = null;
  /** The proxy has answered the client itself. */
  answered = false;

  constructor(
    readonly ctx: ProxyContext,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    this.client = req.socket;
  }

  start(): void {
    this.headers = readRequestHeaders(this.req.rawHeaders, this);
    this.protocol = detectProtocol(this.contentType);
    this.requestId = requestIdFrom(this.requestId);
    const route = routeCall(this.ctx, this.req.url ?? "/");
    if (isFailure(route)) {
      this.refuse(route);
      return;
    }
    this.serviceType = route.serviceType;
    if (route.needsAffinityKey !== false) {
      this.key = affinityKey(this.affinityHeader, this.authorization);
    }
    this.addForwardingHeaders();
    (this.res as Tagged<ServerResponse>)[kExchange] = this;
    this.watchClient();
    this.startDeadline();
    this.readBody();
  }

  // One 'close' listener per client connection rather than one per
  // request. HTTP/1.1 carries one call at a time; should a client pipeline,
  // Node parses ahead and only the newest call is cancelled on a close
  // (the older ones finish into a closed socket).
  watchClient(): void {
    const client = this.client;
    if (client[kInFlight] === undefined) {
      client.on("close", onClientSocketClose);
    }
    client[kInFlight] = this;
  }

  addForwardingHeaders(): void {
    const socket = this.client;
    const peer = socket.remoteAddress ?? "";
    const h = this.headers;
    h.push("x-request-id", this.requestId);
    h.push(
      "x-forwarded-for",
      this.forwardedFor === "" ? peer : `${this.forwardedFor}, ${peer}`,
    );
    if (this.host !== "") {
      h.push("x-forwarded-host", this.host);
    }
    h.push("x-forwarded-proto", "encrypted" in socket ? "https" : "http");
    if (this.protocol === "grpc" && this.te === "trailers") {
      h.push("te", "trailers");
    }
  }

  startDeadline(): void {
    const timeoutMs = timeoutFromHeaders(this.grpcTimeout, this.connectTimeout);
    if (timeoutMs < 0) {
      return;
    }
    this.timeoutMs = timeoutMs;
    this.timeoutIndex = this.headers.length + 1;
    this.headers.push(
      this.grpcTimeout !== "" ? "grpc-timeout" : "connect-timeout-ms",
      "",
    );
    this.deadlineTimer = setTimeout(onDeadline, timeoutMs, this);
  }

  // Small bodies are buffered so that the call can be retried on another
  // instance; anything else streams straight through. Chunked bodies are
  // buffered too until they pass the retry limit: Connect's Node client
  // sends even a tiny unary request chunked, and over HTTP/1.1 no RPC
  // protocol is full-duplex, so holding the first bytes stalls nothing.
  readBody(): void {
    const length = this.contentLength;
    const limit = this.ctx.options.maxRetryBodyBytes;
    if (length === 0 || (length < 0 && !this.chunked)) {
      this.dispatch();
    } else if (this.chunked || length <= limit) {
      const req = this.req as Tagged<IncomingMessage>;
      req[kExchange] = this;
      req.on("data", onBodyData);
      req.on("end", onBodyEnd);
    } else {
      this.body = this.req;
      this.dispatch();
    }
  }

  addBodyChunk(chunk: Buffer): void {
    this.bodyBytes += chunk.length;
    if (this.bodyBytes > this.ctx.options.maxRetryBodyBytes) {
      this.streamRestOfBody(chunk);
      return;
    }
    if (this.body === null) {
      this.body = chunk;
    } else if (this.bodyChunks === null) {
      this.bodyChunks = [this.body as Buffer, chunk];
    } else {
      this.bodyChunks.push(chunk);
    }
  }

  /** A chunked body outgrew the retry limit: send what was held, then
   * the rest as it comes, and give up on retrying this call. */
  streamRestOfBody(chunk: Buffer): void {
    const req = this.req;
    req.off("data", onBodyData);
    req.off("end", onBodyEnd);
    req.pause();
    const held = this.bodyChunks ?? (this.body === null ? [] : [this.body as Buffer]);
    const body = new PassThrough();
    for (const part of held) body.write(part);
    body.write(chunk);
    req.pipe(body);
    this.bodyChunks = null;
    this.body = body;
    this.dispatch();
  }

  bodyComplete(): void {
    if (this.bodyChunks !== null) {
      this.body = Buffer.concat(this.bodyChunks);
      this.bodyChunks = null;
    }
    this.dispatch();
  }

  dispatch(): void {
    const target = pickNextTarget(this);
    if (target === undefined) return;
    const ctx = this.ctx;
    this.abortUpstream = null;
    const entry = startAttempt(this, target);
    ctx.upstreams.pool(entry).dispatch(
      {
        path: this.req.url ?? "/",
        method: this.req.method ?? "GET",
        headers: this.headers,
        body: this.body,
      },
      this,
    );
  }

  // Passes on what is left of the deadline; false when nothing is.
  setRemainingTimeout(): boolean {
    if (this.timeoutIndex < 0) return true;
    const left = Math.floor(this.timeoutMs - (performance.now() - this.receivedAt));
    if (left <= 0) {
      this.answer(deadlineExceeded(this.serviceType, this.timeoutMs));
      return false;
    }
    this.headers[this.timeoutIndex] =
      this.grpcTimeout !== "" ? formatGrpcTimeout(left) : `${left}`;
    return true;
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.stopReason !== null) {
      abort(this.stopReason);
    }
  }

  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (status < 200) {
      return true; // 1xx: the final answer follows
    }
    this.status = status;
    this.resumeUpstream = resume;
    if (!this.answered) {
      this.res.writeHead(status, readResponseHeaders(rawHeaders, this));
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.answered || this.res.write(chunk)) {
      return true;
    }
    this.res.once("drain", onClientDrain);
    return false;
  }

  onComplete(): void {
    if (!this.answered) {
      this.res.end();
    }
    const failed = this.status >= 500 || this.grpcStatus === 14;
    const code = this.grpcStatus >= 0 ? this.grpcStatus : codeFromHttpStatus(this.status);
    this.endAttempt(false, failed, code);
    this.finish();
  }

  onError(err: Error): void {
    if (this.stopReason !== null || this.answered) {
      // The client left or the deadline passed: not the instance's fault.
      this.endAttempt(false, false, this.stopReason === deadlineHit ? 4 : 1);
      this.finish();
      return;
    }
    if (this.status !== 0) {
      // Part of the answer already went out: all that is left is to cut it.
      this.res.destroy(err);
      this.endAttempt(false, true, 14);
      this.finish();
      return;
    }
    this.failBeforeAnswer(err);
  }

  /** A streamed body is gone once sent; a buffered one can go again. */
  failBeforeAnswer(err: Error): void {
    failBeforeAnswer(this, err, this.body === null || Buffer.isBuffer(this.body));
  }

  /** Accounting for one attempt on one instance. */
  endAttempt(notSent: boolean, failed: boolean, code: number): void {
    endAttempt(this, notSent, failed, code);
  }

  finish(): void {
    if (this.deadlineTimer !== undefined) {
      clearTimeout(this.deadlineTimer);
      this.deadlineTimer = undefined;
    }
    if (this.client[kInFlight] === this) {
      this.client[kInFlight] = null;
    }
  }

  /** Answers the client with the proxy's own error, at most once. */
  answer(failure: ProxyFailure): void {
    if (this.answered) {
      return;
    }
    this.answered = true;
    sendHttp1Failure(this.res, this.protocol, this.contentType, this.requestId, failure);
  }

  refuse(failure: ProxyFailure): void {
    const stats = this.ctx.metrics.typeStats(failure.serviceType ?? "");
    countCode(stats.refusedByCode, failure.code);
    this.answer(failure);
    this.finish();
  }

  stop(reason: Error): void {
    if (this.stopReason !== null) {
      return;
    }
    this.stopReason = reason;
    if (reason === deadlineHit) {
      this.answer(deadlineExceeded(this.serviceType, this.timeoutMs));
    }
    // Once stopped the deadline no longer matters, whether or not a call
    // is in flight (the client may leave while its body is still arriving).
    this.finish();
    this.abortUpstream?.(reason);
  }
}

function onBodyData(this: Tagged<IncomingMessage>, chunk: Buffer): void {
  this[kExchange].addBodyChunk(chunk);
}

function onBodyEnd(this: Tagged<IncomingMessage>): void {
  this[kExchange].bodyComplete();
}

function onClientDrain(this: Tagged<ServerResponse>): void {
  this[kExchange].resumeUpstream?.();
}

function onClientSocketClose(this: ClientSocket): void {
  this[kInFlight]?.stop(clientGone);
}

function onDeadline(exchange: Http1Exchange): void {
  exchange.deadlineTimer = undefined;
  exchange.stop(deadlineHit);
}
