import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import { type Logger, pino } from "pino";
import { requestIdHeader } from "./request-id.js";

/** How an RPC ended, as the interceptor saw it. */
export interface RpcOutcome {
  /** Fully-qualified service name, e.g. "microtodo.todo.v1.TodoService". */
  service: string;
  /** Method name, e.g. "CreateTask". */
  method: string;
  /** Connect code as a string ("ok", "not_found", ...). */
  code: string;
  /** The original error, for the request log (never sent to the client as is). */
  error?: unknown;
}

/** Per-request facts shared by the fastify hooks, the interceptor and handlers. */
export interface RequestInfo {
  readonly requestId: string;
  /** Child logger carrying `reqId`. */
  readonly logger: Logger;
  /** Aborted when the server starts draining; long-lived streams should end then. */
  readonly drainSignal: AbortSignal;
  /** The TCP peer's address (the registry, when the call came through it). */
  readonly peerAddress: string | undefined;
  /** Set by the kit's interceptor when the request is an RPC. */
  outcome?: RpcOutcome;
  /** An error fastify handled for a plain HTTP route, for the request log. */
  error?: unknown;
}

/** Context key under which the kit stores {@link RequestInfo} for handlers. */
export const requestInfoKey = createContextKey<RequestInfo | undefined>(undefined, {
  description: "microtodo request info",
});

/** The request id of an RPC (the caller's if sane, otherwise generated). */
export function requestIdFromContext(ctx: HandlerContext): string {
  return (
    ctx.values.get(requestInfoKey)?.requestId ??
    ctx.requestHeader.get(requestIdHeader) ??
    ""
  );
}

const silentLogger = pino({ level: "silent" });

/** The request's child logger (with `reqId`); a silent one outside a kit server. */
export function loggerFromContext(ctx: HandlerContext): Logger {
  return ctx.values.get(requestInfoKey)?.logger ?? silentLogger;
}

/** The TCP peer's address of an RPC; undefined outside a kit server. */
export function peerAddressFromContext(ctx: HandlerContext): string | undefined {
  return ctx.values.get(requestInfoKey)?.peerAddress;
}

/**
 * Aborted when the server begins draining, so long-lived streams (watch,
 * tail) can end before the deadline; never aborted outside a kit server.
 */
export function drainSignalFromContext(ctx: HandlerContext): AbortSignal {
  return ctx.values.get(requestInfoKey)?.drainSignal ?? new AbortController().signal;
}
