import { Code, ConnectError } from "@connectrpc/connect";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";

const statusOfCode: Partial<Record<Code, number>> = {
  [Code.InvalidArgument]: 400,
  [Code.OutOfRange]: 400,
  [Code.Unauthenticated]: 401,
  [Code.PermissionDenied]: 403,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.Aborted]: 409,
  [Code.FailedPrecondition]: 409,
  [Code.ResourceExhausted]: 429,
  [Code.Unavailable]: 503,
  [Code.DeadlineExceeded]: 504,
};

/**
 * Turns an error from the operations (a ConnectError) or from fastify
 * (bad JSON, body too large) into a JSON error reply, once, at the edge.
 */
export function replyWithError(
  err: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const fastifyStatus = (err as FastifyError).statusCode;
  if (
    !(err instanceof ConnectError) &&
    fastifyStatus !== undefined &&
    fastifyStatus < 500
  ) {
    return reply
      .code(fastifyStatus)
      .send({ error: { code: "invalid_request", message: err.message } });
  }
  const connectError = ConnectError.from(err);
  const status = statusOfCode[connectError.code] ?? 500;
  if (status >= 500) request.log.error({ err }, "todo REST request failed");
  if (status === 401) reply.header("www-authenticate", 'Bearer realm="microtodo"');
  return reply.code(status).send({
    error: { code: wireCode(connectError.code), message: connectError.rawMessage },
  });
}

/** Connect's wire name of a code: Code.NotFound → "not_found". */
function wireCode(code: Code): string {
  return Code[code].replace(
    /[A-Z]/g,
    (letter, at: number) => `${at === 0 ? "" : "_"}${letter.toLowerCase()}`,
  );
}
