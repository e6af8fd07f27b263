import {
  type ClientHttp2Stream,
  constants as h2,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from "node:http2";
import { affinityKey } from "./affinity-key.js";
import {
  endAttempt,
  failBeforeAnswer,
  pickNextTarget,
  startAttempt,
} from "./attempt-accounting.js";
import { isFailure, routeCall, timeoutFromHeaders } from "./call-routing.js";
import { formatGrpcTimeout } from "./deadline.js";
import type { ProxyContext } from "./proxy-context.js";
import { countCode } from "./proxy-metrics.js";
import { requestIdFrom } from "./request-id.js";
import { deadlineExceeded, type ProxyFailure, sendHttp2Failure } from "./rpc-errors.js";
import { detectProtocol, type RpcProtocol } from "./rpc-protocol.js";
import { codeFromHttpStatus } from "./upstream-errors.js";
import type { UpstreamTarget } from "./upstream-selector.js";
import type { UpstreamEntry } from "./upstream-table.js";

/** Forwards one HTTP/2 stream (gRPC, or Connect over h2c) to an instance
 * over its pooled HTTP/2 session. Each stream gets its own pick, so the
 * calls of one client connection spread over every instance. */
export function forwardHttp2(
  ctx: ProxyContext,
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
): void {
  new Http2Exchange(ctx, stream, headers).start();
}

const kExchange = Symbol("http2Exchange");
type Tagged<T> = T & { [kExchange]: Http2Exchange };

const clientGone = new Error("client closed the stream");
const deadlineHit = new Error("call deadline exceeded");

/** One HTTP/2 call's trip through the proxy; its state lives in fields and
 * its event handlers are shared functions that find it through a symbol. */
class Http2Exchange {
  readonly receivedAt = performance.now();
  protocol: RpcProtocol = "unary";
  contentType = "";
  requestId = "";
  serviceType = "";
  key: string | undefined = undefined;
  timeoutMs = -1;
  deadlineTimer: NodeJS.Timeout | undefined = undefined;

  target: UpstreamTarget | undefined = undefined;
  entry: UpstreamEntry | undefined = undefined;
  upstream: ClientHttp2Stream | null = null;
  upstreamError: Error | null = null;
  attempt = 0;
  dispatchedAt = 0;
  status = 0;
  grpcStatus = -1;
  /** Sent to the client when it asks for trailers (gRPC only). */
  trailers: OutgoingHttpHeaders | null = null;
  /** Request bytes have started flowing upstream: no retry past this point. */
  bodyStarted = false;
  stopReason: Error | null = null;
  answered = false;

  constructor(
    readonly ctx: ProxyContext,
    readonly stream: ServerHttp2Stream,
    readonly headers: IncomingHttpHeaders,
  ) {}

  start(): void {
    const h = this.headers;
    this.contentType = h["content-type"] ?? "";
    this.protocol = detectProtocol(this.contentType);
    this.requestId = requestIdFrom(headerString(h["x-request-id"]));
    const route = routeCall(this.ctx, h[":path"] ?? "/");
    if (isFailure(route)) {
      this.refuse(route);
      return;
    }
    this.serviceType = route.serviceType;
    if (route.needsAffinityKey !== false) {
      this.key = affinityKey(headerString(h["x-affinity-key"]), h.authorization ?? "");
    }
    this.rewriteHeaders();
    (this.stream as Tagged<ServerHttp2Stream>)[kExchange] = this;
    this.stream.on("close", onClientClose);
    this.startDeadline();
    this.dispatch();
  }

  // The incoming header object is forwarded as is, after these edits:
  // HTTP/2 has no hop-by-hop headers to strip (nghttp2 rejects them), and
  // clearing :authority and :scheme lets Node fill in the instance's.
  rewriteHeaders(): void {
    const h = this.headers;
    const peer = this.stream.session?.socket?.remoteAddress ?? "";
    const forwardedFor = headerString(h["x-forwarded-for"]);
    h["x-forwarded-for"] = forwardedFor === "" ? peer : `${forwardedFor}, ${peer}`;
    h["x-forwarded-host"] = h[":authority"] ?? h.host;
    h["x-forwarded-proto"] = "http";
    h["x-request-id"] = this.requestId;
    h[":authority"] = undefined;
    h[":scheme"] = undefined;
  }

  startDeadline(): void {
    const h = this.headers;
    const timeoutMs = timeoutFromHeaders(
      headerString(h["grpc-timeout"]),
      headerString(h["connect-timeout-ms"]),
    );
    if (timeoutMs >= 0) {
      this.timeoutMs = timeoutMs;
      this.deadlineTimer = setTimeout(onDeadline, timeoutMs, this);
    }
  }

  dispatch(): void {
    const target = pickNextTarget(this);
    if (target === undefined) return;
    this.upstreamError = null;
    this.openUpstream(startAttempt(this, target));
  }

  openUpstream(entry: UpstreamEntry): void {
    let upstream: ClientHttp2Stream;
    try {
      const session = this.ctx.upstreams.session(entry);
      upstream = session.request(this.headers, {
        endStream: this.stream.endAfterHeaders,
      });
    } catch (err) {
      this.failBeforeAnswer(err as Error);
      return;
    }
    this.upstream = upstream;
    const tagged = upstream as Tagged<ClientHttp2Stream>;
    tagged[kExchange] = this;
    upstream.on("response", onUpstreamResponse);
    upstream.on("trailers", onUpstreamTrailers);
    upstream.on("error", onUpstreamError);
    upstream.on("close", onUpstreamClose);
    // Until the session is connected nothing is read from the client, so
    // a refused connection leaves the body intact for the retry.
    if (upstream.pending) {
      upstream.once("ready", onUpstreamReady);
    } else {
      this.pipeBody();
    }
  }

  pipeBody(): void {
    if (!this.stream.endAfterHeaders && this.upstream !== null) {
      this.bodyStarted = true;
      this.stream.pipe(this.upstream);
    }
  }

  setRemainingTimeout(): boolean {
    if (this.timeoutMs < 0) return true;
    const left = Math.floor(this.timeoutMs - (performance.now() - this.receivedAt));
    if (left <= 0) {
      this.answer(deadlineExceeded(this.serviceType, this.timeoutMs));
      return false;
    }
    if (this.headers["grpc-timeout"] !== undefined) {
      this.headers["grpc-timeout"] = formatGrpcTimeout(left);
    } else {
      this.headers["connect-timeout-ms"] = `${left}`;
    }
    return true;
  }

  onResponse(
    headers: IncomingHttpHeaders,
    endStream: boolean,
    upstream: ClientHttp2Stream,
  ): void {
    this.status = Number(headers[":status"]);
    this.readGrpcStatus(headers);
    if (this.answered) {
      upstream.resume();
      return;
    }
    if (endStream) {
      this.stream.respond(headers, { endStream: true });
      upstream.resume();
      return;
    }
    const grpc = this.protocol === "grpc";
    if (grpc) {
      this.stream.on("wantTrailers", onWantTrailers);
    }
    this.stream.respond(headers, { waitForTrailers: grpc });
    upstream.pipe(this.stream);
  }

  readGrpcStatus(headers: IncomingHttpHeaders): void {
    const value = headers["grpc-status"];
    if (value !== undefined) {
      this.grpcStatus = Number(value);
    }
  }

  onUpstreamClose(upstream: ClientHttp2Stream): void {
    if (upstream !== this.upstream) {
      return; // an attempt already accounted for
    }
    this.upstream = null;
    if (this.stopReason !== null || this.answered) {
      this.endAttempt(false, false, this.stopReason === deadlineHit ? 4 : 1);
      this.finish();
      return;
    }
    const rstCode = upstream.rstCode ?? h2.NGHTTP2_NO_ERROR;
    if (this.status === 0) {
      // REFUSED_STREAM promises the instance did not process the stream.
      const refused = rstCode === h2.NGHTTP2_REFUSED_STREAM;
      this.failBeforeAnswer(
        refused
          ? streamResetError(rstCode)
          : (this.upstreamError ?? streamResetError(rstCode)),
      );
      return;
    }
    const broken =
      !upstream.readableEnded &&
      (this.upstreamError !== null || rstCode !== h2.NGHTTP2_NO_ERROR);
    if (broken) {
      this.cutAnswer();
    }
    const code = this.grpcStatus >= 0 ? this.grpcStatus : codeFromHttpStatus(this.status);
    const failed = broken || this.status >= 500 || this.grpcStatus === 14;
    this.endAttempt(false, failed, broken ? 14 : code);
    this.finish();
  }

  // The instance broke off an answer already under way. gRPC clients get
  // an `unavailable` status in the trailers; others see the stream reset.
  cutAnswer(): void {
    const stream = this.stream;
    if (stream.closed || stream.destroyed) {
      return;
    }
    if (this.protocol === "grpc" && this.trailers === null) {
      this.trailers = {
        "grpc-status": "14",
        "grpc-message": "instance reset the stream",
      };
      stream.end();
      return;
    }
    stream.close(h2.NGHTTP2_INTERNAL_ERROR);
  }

  /** The client's stream can be sent again only if none of it went out. */
  failBeforeAnswer(err: Error): void {
    failBeforeAnswer(this, err, !this.bodyStarted);
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
  }

  answer(failure: ProxyFailure): void {
    if (this.answered) {
      return;
    }
    this.answered = true;
    sendHttp2Failure(
      this.stream,
      this.protocol,
      this.contentType,
      this.requestId,
      failure,
    );
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
      this.answerDeadline();
    }
    this.finish();
    const upstream = this.upstream;
    if (upstream !== null && !upstream.closed) {
      upstream.close(h2.NGHTTP2_CANCEL);
    }
  }

  // Before the answer started, a trailers-only deadline_exceeded; during a
  // gRPC answer, the same status in the trailers; otherwise a reset.
  answerDeadline(): void {
    const failure = deadlineExceeded(this.serviceType, this.timeoutMs);
    const stream = this.stream;
    if (!stream.headersSent) {
      this.answer(failure);
      return;
    }
    this.answered = true;
    if (this.protocol === "grpc" && this.trailers === null && !stream.destroyed) {
      this.upstream?.unpipe(stream);
      this.trailers = {
        "grpc-status": String(failure.code),
        "grpc-message": encodeURIComponent(failure.message),
      };
      stream.end();
      return;
    }
    stream.close(h2.NGHTTP2_CANCEL);
  }
}

function headerString(value: string | string[] | undefined): string {
  if (value === undefined) {
    return "";
  }
  return typeof value === "string" ? value : value.join(", ");
}

function streamResetError(rstCode: number | undefined): Error {
  const err = new Error(`instance reset the stream (code ${rstCode})`);
  const code = rstCode === h2.NGHTTP2_REFUSED_STREAM ? "ECONNREFUSED" : "ECONNRESET";
  return Object.assign(err, { code });
}

function onUpstreamReady(this: Tagged<ClientHttp2Stream>): void {
  this[kExchange].pipeBody();
}

// Client streams leave endAfterHeaders false, so END_STREAM (a gRPC
// trailers-only answer) is read from the HEADERS frame's flags.
function onUpstreamResponse(
  this: Tagged<ClientHttp2Stream>,
  headers: IncomingHttpHeaders,
  flags: number,
): void {
  this[kExchange].onResponse(headers, (flags & h2.NGHTTP2_FLAG_END_STREAM) !== 0, this);
}

function onUpstreamTrailers(
  this: Tagged<ClientHttp2Stream>,
  trailers: IncomingHttpHeaders,
): void {
  const exchange = this[kExchange];
  exchange.readGrpcStatus(trailers);
  if (exchange.trailers === null) {
    exchange.trailers = trailers;
  }
}

function onUpstreamError(this: Tagged<ClientHttp2Stream>, err: Error): void {
  this[kExchange].upstreamError = err;
}

function onUpstreamClose(this: Tagged<ClientHttp2Stream>): void {
  this[kExchange].onUpstreamClose(this);
}

function onWantTrailers(this: Tagged<ServerHttp2Stream>): void {
  const trailers = this[kExchange].trailers;
  // An instance that ended its gRPC answer without trailers broke the
  // protocol; say so rather than leave the client without a status.
  this.sendTrailers(
    trailers ?? { "grpc-status": "13", "grpc-message": "instance sent no status" },
  );
}

// A stream that closes before its answer was fully written, or with a
// reset, means the client went away: the upstream call is cancelled.
function onClientClose(this: Tagged<ServerHttp2Stream>): void {
  const exchange = this[kExchange];
  const abnormal = this.rstCode !== h2.NGHTTP2_NO_ERROR || !this.writableFinished;
  if (exchange.upstream !== null && abnormal) {
    exchange.stop(clientGone);
  }
}

function onDeadline(exchange: Http2Exchange): void {
  exchange.deadlineTimer = undefined;
  exchange.stop(deadlineHit);
}
