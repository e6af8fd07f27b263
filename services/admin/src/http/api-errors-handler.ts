import type { FastifyError, FastifyInstance } from "fastify";
import { ApiError, invalidArgument } from "./api-error.js";

/**
 * Answers every /api error in the contract's `{code, message}` form. A 5xx
 * never carries an internal message; the kit's request log keeps the error.
 */
export function installApiErrorHandler(api: FastifyInstance, maxBodyBytes: number): void {
  api.setErrorHandler((error: FastifyError | ApiError, _request, reply) => {
    const apiError = toApiError(error, maxBodyBytes);
    return reply.code(apiError.status).headers(apiError.headers).send(apiError.toJSON());
  });
  api.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ code: "not_found", message: `no route ${request.method} ${request.url}` }),
  );
}

function toApiError(error: FastifyError | ApiError, maxBodyBytes: number): ApiError {
  if (error instanceof ApiError) return error;
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return invalidArgument(`body: must be at most ${maxBodyBytes} bytes`);
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return invalidArgument("body: must be a JSON object");
  }
  const status = error.statusCode ?? 500;
  if (error instanceof SyntaxError || (status >= 400 && status < 500)) {
    return invalidArgument(`body: ${error.message}`);
  }
  return new ApiError(500, "internal", "internal error");
}
