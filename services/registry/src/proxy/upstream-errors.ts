import { Code } from "@connectrpc/connect";
import type { ProxyLogger } from "./proxy-logger.js";
import type { InstanceStats } from "./proxy-metrics.js";

/**
 * How a failed upstream call broke, as far as retrying is concerned:
 * - "refused": the connection was never made, so nothing reached the
 *   instance;
 * - "reset": the connection broke before any answer, typically a reused
 *   keep-alive socket the instance closed as the request went out;
 * - "rejected": the proxy's HTTP client refused to send the request (an
 *   invalid header, say): nothing left the proxy and the instance is not
 *   to blame;
 * - "other": anything else (timeouts, protocol errors).
 */
export type UpstreamErrorKind = "refused" | "reset" | "rejected" | "other";

const refusedCodes = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
  // A pooled HTTP/2 session that closed between the pick and the request.
  "ERR_HTTP2_INVALID_SESSION",
  "ERR_HTTP2_GOAWAY_SESSION",
]);

const resetCodes = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);

/** Classifies an error from undici or Node's HTTP/2 client. */
export function upstreamErrorKind(err: Error): UpstreamErrorKind {
  const code = errorCode(err);
  if (refusedCodes.has(code)) {
    return "refused";
  }
  if (resetCodes.has(code)) {
    return "reset";
  }
  return code === "UND_ERR_INVALID_ARG" || code.startsWith("ERR_HTTP2_INVALID")
    ? "rejected"
    : "other";
}

/** Whether another instance (or a fresh connection) may succeed where
 * this attempt failed without the instance having seen the request. */
export function isRetryable(kind: UpstreamErrorKind): boolean {
  return kind === "refused" || kind === "reset";
}

/** A short reason for a client-facing message: the error code, never an
 * address (that would leak the cluster layout through the public door). */
export function upstreamErrorReason(err: Error): string {
  const code = errorCode(err);
  return code === "" ? "connection failed" : code;
}

function errorCode(err: Error): string {
  const code = (err as { code?: unknown }).code;
  // Node's HTTP/2 wraps connection failures; the cause carries the errno.
  if (code === "ERR_HTTP2_STREAM_CANCEL" || code === "ERR_HTTP2_ERROR") {
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error) {
      return errorCode(cause);
    }
  }
  return typeof code === "string" ? code : "";
}

/** The code a unary or REST answer's status stands for (the inverse of
 * Connect's code-to-status table); the exact code sits in the body, which
 * the proxy does not read. */
export function codeFromHttpStatus(status: number): number {
  if (status < 400) {
    return 0;
  }
  switch (status) {
    case 400:
      return Code.InvalidArgument;
    case 401:
      return Code.Unauthenticated;
    case 403:
      return Code.PermissionDenied;
    case 404:
      return Code.NotFound;
    case 408:
    case 504:
      return Code.DeadlineExceeded;
    case 409:
      return Code.Aborted;
    case 429:
      return Code.ResourceExhausted;
    case 499:
      return Code.Canceled;
    case 501:
      return Code.Unimplemented;
    case 502:
    case 503:
      return Code.Unavailable;
    default:
      return status < 500 ? Code.Unknown : Code.Internal;
  }
}

/** Least time between two warnings about one instance, in ms. */
const warnIntervalMs = 1000;

/** Warns that a call to an instance failed, at most once a second per
 * instance: when an instance dies every call to it fails, and the log
 * should say so once, not thousands of times. The metrics count them all. */
export function warnUpstreamFailure(
  logger: ProxyLogger,
  stats: InstanceStats | undefined,
  err: Error,
  reqId: string,
): void {
  const now = performance.now();
  if (stats !== undefined) {
    if (now - stats.lastWarnedAt < warnIntervalMs) {
      stats.unwarnedFailures++;
      return;
    }
    stats.lastWarnedAt = now;
  }
  const alsoFailed = stats?.unwarnedFailures ?? 0;
  if (stats !== undefined) {
    stats.unwarnedFailures = 0;
  }
  logger.warn(
    { err, instance: stats?.instance, reqId, alsoFailed },
    "proxy call to instance failed",
  );
}
