import type { JsonWebKeySet } from "@microtodo/kit";
import { JWKS_PATH } from "@microtodo/kit";
import type { FastifyInstance } from "fastify";

/** Options of addJwksRoute. */
export interface JwksRouteOptions {
  readonly jwks: () => Promise<JsonWebKeySet>;
  /** Cache-Control max-age; verifiers refetch on an unknown kid anyway. Default 60. */
  readonly maxAgeSeconds?: number;
}

/** Serves the verification keys at GET /.well-known/jwks.json. */
export function addJwksRoute(app: FastifyInstance, options: JwksRouteOptions): void {
  const maxAge = options.maxAgeSeconds ?? 60;
  app.get(JWKS_PATH, async (_request, reply) => {
    const body = await options.jwks();
    return reply
      .header("cache-control", `public, max-age=${maxAge}`)
      .type("application/jwk-set+json")
      .send(JSON.stringify(body));
  });
}
