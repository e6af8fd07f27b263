import type { FastifyReply } from "fastify";

/** Options of openEventStream. */
export interface EventStreamOptions {
  /** Interval of `: ping` comments, which keep proxies from timing the stream out. */
  readonly heartbeatMs: number;
  /** Ends the stream when it aborts (the server is shutting down). */
  readonly shutdown: AbortSignal;
  /** Runs before each ping; returning false ends the stream (the session expired). */
  readonly stillWanted?: () => boolean;
}

/** An open text/event-stream response. */
export interface EventStream {
  /** Aborts when the stream ends, for whatever reason: close upstream calls on it. */
  readonly signal: AbortSignal;
  /** Sends one event; `id` becomes the browser's Last-Event-ID ("" clears it). */
  send(event: string, data: unknown, id?: string): void;
  /** Ends the stream; the browser's EventSource reconnects on its own. */
  close(): void;
}

/** A client this far behind is dropped rather than buffered for without bound. */
const maxBufferedBytes = 1024 * 1024;

/**
 * Takes over the response and starts a Server-Sent Events stream. The
 * headers fastify already set (security headers) are kept. The stream
 * ends when the browser goes, when the server shuts down, when the client
 * falls too far behind, or on close().
 */
export function openEventStream(
  reply: FastifyReply,
  options: EventStreamOptions,
): EventStream {
  const ended = new AbortController();
  const res = reply.raw;
  reply.hijack();
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) res.setHeader(name, value);
  }
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    // Tells nginx-style proxies not to buffer the stream.
    "x-accel-buffering": "no",
  });
  res.write("retry: 3000\n\n");

  const write = (text: string) => {
    if (ended.signal.aborted) return;
    res.write(text);
    if (res.writableLength > maxBufferedBytes) close();
  };
  const ping = setInterval(() => {
    if (options.stillWanted && !options.stillWanted()) close();
    else write(": ping\n\n");
  }, options.heartbeatMs);
  const close = () => {
    if (ended.signal.aborted) return;
    ended.abort();
    clearInterval(ping);
    options.shutdown.removeEventListener("abort", close);
    res.end();
  };
  // The response's close, not the request's: an IncomingMessage closes as
  // soon as its (empty) body has been read.
  res.once("close", close);
  if (options.shutdown.aborted) close();
  else options.shutdown.addEventListener("abort", close);

  return {
    signal: ended.signal,
    send(event, data, id) {
      const idLine = id === undefined ? "" : `id: ${id}\n`;
      write(`${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close,
  };
}
