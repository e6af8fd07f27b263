import http, { type IncomingMessage, type ServerResponse } from "node:http";
import http2, {
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from "node:http2";
import net from "node:net";

/** Handles one HTTP/1.x request. */
export type Http1RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Handles one HTTP/2 request through Node's compatibility API. */
export type Http2RequestHandler = (
  req: Http2ServerRequest,
  res: Http2ServerResponse,
) => void;

/** Handles one raw HTTP/2 stream (what a proxy wants: no compat layer). */
export type Http2StreamHandler = (
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  flags: number,
) => void;

/** How HTTP/2 requests are handled: a compat handler, or `{ stream }` for raw streams. */
export type Http2Handler = Http2RequestHandler | { stream: Http2StreamHandler };

/** Options for {@link createDualProtocolServer}. */
export interface DualProtocolServerOptions {
  /** Idle time before an HTTP/1.1 keep-alive connection is closed. Default 72000. */
  keepAliveTimeoutMs?: number;
  /** Idle time before an HTTP/2 session is sent GOAWAY. Default 72000. */
  http2IdleTimeoutMs?: number;
  /** How long a new connection may stay silent before it is dropped. Default 10000. */
  firstByteTimeoutMs?: number;
  /** HTTP/2 SETTINGS sent to clients. Default Node's. */
  http2Settings?: http2.Settings;
}

// Every HTTP/2 connection starts with this client preface (RFC 9113 §3.4);
// no valid HTTP/1.x request line can start the same way.
const http2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/**
 * One TCP listener for HTTP/1.1 and cleartext HTTP/2 with prior knowledge.
 * Node's h2c server rejects HTTP/1.1, so this server reads the first bytes
 * of each connection and hands the socket to an http.Server or an
 * http2.Http2Server. close() drains: it stops accepting, closes idle
 * keep-alive connections, sends GOAWAY to HTTP/2 sessions and calls back when
 * every connection is gone.
 */
export class DualProtocolServer extends net.Server {
  /** Receives the HTTP/1.x connections; tune its timeouts here. */
  readonly http1: http.Server;
  /** Receives the HTTP/2 connections. */
  readonly http2: http2.Http2Server;
  readonly #sniffing = new Set<net.Socket>();
  readonly #sessions = new Set<Http2Session>();
  readonly #http1Responses = new Set<ServerResponse>();
  readonly #firstByteTimeoutMs: number;
  #closing = false;

  constructor(
    onHttp1Request: Http1RequestHandler,
    onHttp2?: Http2Handler,
    options: DualProtocolServerOptions = {},
  ) {
    super({ noDelay: true });
    this.#firstByteTimeoutMs = options.firstByteTimeoutMs ?? 10_000;
    this.http1 = this.#createHttp1(onHttp1Request, options);
    this.http2 = this.#createHttp2(onHttp2 ?? toHttp2Handler(onHttp1Request), options);
    this.on("connection", (socket: net.Socket) => this.#sniff(socket));
    // http.Server starts its header/request timeout checks and its
    // connection list (used by closeIdleConnections) on "listening"; it never
    // listens itself, so it hears it from the outer listener.
    this.on("listening", () => this.http1.emit("listening"));
  }

  /** True once close() was called. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Stops accepting, then drains; `callback` runs when every connection is closed. */
  override close(callback?: (err?: Error) => void): this {
    this.#closing = true;
    super.close(callback);
    for (const socket of this.#sniffing) socket.destroy();
    // Responses still being written announce that their connection closes.
    for (const res of this.#http1Responses) {
      if (!res.headersSent) res.shouldKeepAlive = false;
    }
    // Also clears the timeout checker started on "listening".
    this.http1.close();
    for (const session of this.#sessions) session.close();
    return this;
  }

  /** Closes HTTP/1.1 connections with no request in flight and silent new connections. */
  closeIdleConnections(): void {
    for (const socket of this.#sniffing) socket.destroy();
    this.http1.closeIdleConnections();
  }

  /** Destroys every connection at once (the end of a drain deadline). */
  closeAllConnections(): void {
    for (const socket of this.#sniffing) socket.destroy();
    this.http1.closeAllConnections();
    for (const session of this.#sessions) session.destroy();
  }

  #createHttp1(handler: Http1RequestHandler, options: DualProtocolServerOptions) {
    const server = http.createServer((req, res) => {
      if (this.#closing) res.shouldKeepAlive = false;
      this.#http1Responses.add(res);
      res.once("close", () => this.#afterHttp1Response(res));
      handler(req, res);
    });
    server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 72_000;
    return server;
  }

  #afterHttp1Response(res: ServerResponse): void {
    this.#http1Responses.delete(res);
    if (!this.#closing) return;
    // The socket turns idle only after the response is detached from it.
    setImmediate(() => this.http1.closeIdleConnections());
  }

  #createHttp2(handler: Http2Handler, options: DualProtocolServerOptions) {
    const server = http2.createServer({ settings: options.http2Settings });
    if (typeof handler === "function") server.on("request", handler);
    else server.on("stream", handler.stream);
    const idleMs = options.http2IdleTimeoutMs ?? 72_000;
    server.on("session", (session: Http2Session) => {
      this.#sessions.add(session);
      session.once("close", () => this.#sessions.delete(session));
      session.setTimeout(idleMs, () => session.close());
      if (this.#closing) session.close();
    });
    return server;
  }

  #sniff(socket: net.Socket): void {
    this.#sniffing.add(socket);
    let received = Buffer.alloc(0);
    const onError = () => socket.destroy();
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const compared = Math.min(received.length, http2Preface.length);
      const looksHttp2 = received
        .subarray(0, compared)
        .equals(http2Preface.subarray(0, compared));
      if (looksHttp2 && received.length < http2Preface.length) return;
      socket
        .off("data", onData)
        .off("error", onError)
        .off("close", onClose)
        .setTimeout(0);
      this.#sniffing.delete(socket);
      this.#handOver(socket, received, looksHttp2);
    };
    const onClose = () => this.#sniffing.delete(socket);
    socket.on("data", onData).on("error", onError).once("close", onClose);
    socket.setTimeout(this.#firstByteTimeoutMs, () => socket.destroy());
  }

  #handOver(socket: net.Socket, received: Buffer, isHttp2: boolean): void {
    socket.pause();
    socket.unshift(received);
    if (isHttp2) {
      // Http2Session reads the bytes already buffered on the socket first.
      this.http2.emit("connection", socket);
      return;
    }
    this.http1.emit("connection", socket);
    // http.Server consumes the socket's handle directly; resuming flushes the
    // unshifted bytes to its parser first.
    socket.resume();
  }
}

function toHttp2Handler(handler: Http1RequestHandler): Http2RequestHandler {
  // The compat request/response mirror the HTTP/1 ones closely enough for
  // handlers that read headers and write a body (fastify, connect-node).
  return handler as unknown as Http2RequestHandler;
}

/**
 * Creates a {@link DualProtocolServer}. Without `onHttp2`, HTTP/2 requests go
 * through the compat API to `onHttp1Request`.
 */
export function createDualProtocolServer(
  onHttp1Request: Http1RequestHandler,
  onHttp2?: Http2Handler,
  options?: DualProtocolServerOptions,
): DualProtocolServer {
  return new DualProtocolServer(onHttp1Request, onHttp2, options);
}
