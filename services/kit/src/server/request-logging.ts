import { codeFromString, codeToHttpStatus } from "@connectrpc/connect/protocol-connect";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/create-metrics.js";
import type { RequestInfo } from "./request-context.js";

type Level = "error" | "info" | "debug";

/** What the request log and the HTTP duration metric need of a finished request. */
export interface FinishedRequest {
  readonly method: string;
  readonly url: string;
  /** The route's pattern (the metric's label), "unmatched" when none. */
  readonly route: string;
  readonly statusCode: number;
  readonly durationMs: number;
}

/**
 * HTTP status the outcome stands for: an RPC's code mapped the way the
 * Connect protocol maps it (gRPC answers 200 even for errors), else the
 * response status.
 */
function effectiveStatus(statusCode: number, info: RequestInfo | undefined): number {
  const code = info?.outcome?.code;
  if (code === undefined || code === "ok") return statusCode;
  const parsed = codeFromString(code);
  return parsed === undefined ? 500 : codeToHttpStatus(parsed);
}

function levelFor(status: number): Level {
  if (status >= 500) return "error";
  if (status >= 400) return "info";
  return "debug";
}

/** Logs a finished fastify request once and times it; see {@link logFinishedRequest}. */
export function logRequestCompleted(
  request: FastifyRequest,
  reply: FastifyReply,
  info: RequestInfo | undefined,
  metrics: Metrics,
): void {
  const finished: FinishedRequest = {
    method: request.method,
    url: request.url,
    route: request.routeOptions.url ?? "unmatched",
    statusCode: reply.statusCode,
    durationMs: reply.elapsedTime,
  };
  const logger = request.log as Logger;
  logFinishedRequest(finished, info, metrics, { levels: logger, request: () => logger });
}

/** Where a request's log line goes. */
export interface RequestLoggers {
  /** Decides whether a level is logged at all (the service's logger will do). */
  readonly levels: Logger;
  /** The logger carrying the request id, made only when a line is written. */
  request(): Logger;
}

/**
 * Logs a finished request once (5xx at error, 4xx at info, rest at debug)
 * and times it. A server error carries its whole `err` (stack included); a
 * client error only its message as `reason`: the caller's mistake needs no
 * stack trace. Builds nothing when the level would drop the line.
 */
export function logFinishedRequest(
  finished: FinishedRequest,
  info: RequestInfo | undefined,
  metrics: Metrics,
  loggers: RequestLoggers,
): void {
  const { method, statusCode, durationMs } = finished;
  metrics.httpDuration.observe(
    { method, route: finished.route, status: String(statusCode) },
    durationMs / 1000,
  );
  const level = levelFor(effectiveStatus(statusCode, info));
  if (!loggers.levels.isLevelEnabled(level)) return;
  const outcome = info?.outcome;
  const err = outcome?.error ?? info?.error;
  const fields = {
    method,
    url: finished.url,
    status: statusCode,
    ...(outcome && { rpc: `${outcome.service}/${outcome.method}`, code: outcome.code }),
    ...(err !== undefined &&
      (level === "error" ? { err } : { reason: errorMessage(err) })),
    durationMs: Math.round(durationMs * 10) / 10,
  };
  loggers.request()[level](fields, "request completed");
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
