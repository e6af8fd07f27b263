import { codeFromString, codeToHttpStatus } from "@connectrpc/connect/protocol-connect";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Metrics } from "../metrics/create-metrics.js";
import type { RequestInfo } from "./request-context.js";

type Level = "error" | "info" | "debug";

/**
 * HTTP status the outcome stands for: an RPC's code mapped the way the
 * Connect protocol maps it (gRPC answers 200 even for errors), else the
 * response status.
 */
function effectiveStatus(reply: FastifyReply, info: RequestInfo | undefined): number {
  const code = info?.outcome?.code;
  if (code === undefined || code === "ok") return reply.statusCode;
  const parsed = codeFromString(code);
  return parsed === undefined ? 500 : codeToHttpStatus(parsed);
}

function levelFor(status: number): Level {
  if (status >= 500) return "error";
  if (status >= 400) return "info";
  return "debug";
}

/** Logs a finished request once (5xx at error, 4xx at info, rest at debug) and times it. */
export function logRequestCompleted(
  request: FastifyRequest,
  reply: FastifyReply,
  info: RequestInfo | undefined,
  metrics: Metrics,
): void {
  const durationMs = reply.elapsedTime;
  const route = request.routeOptions.url ?? "unmatched";
  metrics.httpDuration.observe(
    { method: request.method, route, status: String(reply.statusCode) },
    durationMs / 1000,
  );
  const status = effectiveStatus(reply, info);
  const outcome = info?.outcome;
  const err = outcome?.error ?? info?.error;
  const fields = {
    method: request.method,
    url: request.url,
    status: reply.statusCode,
    ...(outcome && { rpc: `${outcome.service}/${outcome.method}`, code: outcome.code }),
    ...(err !== undefined && { err }),
    durationMs: Math.round(durationMs * 10) / 10,
  };
  request.log[levelFor(status)](fields, "request completed");
}
