import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/create-metrics.js";
import type { RequestInfo } from "./request-context.js";
import { requestIdFrom, requestIdHeader } from "./request-id.js";
import { logRequestCompleted } from "./request-logging.js";

/** fastify's genReqId: the caller's sane x-request-id, else a new one. */
export function genRequestId(req: {
  headers: Record<string, string | string[] | undefined>;
}) {
  const id = requestIdFrom(req.headers[requestIdHeader]);
  // Connect handlers and interceptors see the id in the request headers too.
  req.headers[requestIdHeader] = id;
  return id;
}

/**
 * Gives every request its {@link RequestInfo}, echoes x-request-id, keeps
 * the error fastify handled and logs the request once it is answered.
 * Returns the lookup the Connect plugin uses to hand the info to handlers.
 */
export function installRequestHooks(
  app: FastifyInstance,
  metrics: Metrics,
  drainSignal: AbortSignal,
): (request: FastifyRequest) => RequestInfo | undefined {
  const infos = new WeakMap<FastifyRequest, RequestInfo>();
  app.addHook("onRequest", async (request, reply) => {
    // fastify's request loggers are children of our pino loggerInstance.
    const logger = request.log as Logger;
    infos.set(request, {
      requestId: request.id,
      logger,
      drainSignal,
      peerAddress: request.raw.socket?.remoteAddress,
    });
    reply.header(requestIdHeader, request.id);
  });
  app.addHook("onError", async (request, _reply, error) => {
    const info = infos.get(request);
    if (info !== undefined) info.error = error;
  });
  app.addHook("onResponse", async (request, reply) => {
    logRequestCompleted(request, reply, infos.get(request), metrics);
  });
  return (request) => infos.get(request);
}
