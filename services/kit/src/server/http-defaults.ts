import type { FastifyInstance } from "fastify";

/**
 * The kit's plain-HTTP behaviour for routes a service adds with `configure`:
 * an empty application/json body is "no body", and 5xx answers never carry
 * the error's message. Call it after the Connect plugin is registered: that
 * plugin's context must start from fastify's default JSON parser.
 */
export function applyHttpDefaults(app: FastifyInstance): void {
  acceptEmptyJsonBodies(app);
  hideServerErrorDetails(app);
}

function acceptEmptyJsonBodies(app: FastifyInstance): void {
  // fastify rejects an empty body sent as application/json; REST clients
  // send exactly that for bodiless POSTs.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(
    "application/json",
    { parseAs: "string" },
    (req, body, done) => {
      const text = typeof body === "string" ? body : body.toString("utf8");
      if (text.trim() === "") {
        done(null, undefined);
        return;
      }
      parseJson(req, text, done);
    },
  );
}

function hideServerErrorDetails(app: FastifyInstance): void {
  // A 5xx message is written for us, not for the caller; the request log
  // keeps the original error.
  app.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status < 500) return reply.send(error);
    return reply.code(status).send({ statusCode: status, error: "internal error" });
  });
}
