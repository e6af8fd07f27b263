import { AuthService } from "@microtodo/api/auth";
import type { ServiceServer } from "@microtodo/kit";
import { createServiceServer } from "@microtodo/kit";
import type { Logger } from "pino";
import type { AuthCore } from "../accounts/auth-core.js";
import { addJwksRoute } from "../http/jwks-route.js";
import { createAuthService } from "../rpc/auth-service.js";

/** Options of createAuthServer. */
export interface AuthServerOptions {
  readonly core: AuthCore;
  readonly logger: Logger;
  readonly instance: string;
}

/**
 * The auth server, built but not listening: AuthService, the JWKS route and
 * the kit's health, probes and metrics, on one port.
 */
export function createAuthServer(options: AuthServerOptions): Promise<ServiceServer> {
  const { core, logger } = options;
  return createServiceServer({
    service: "auth",
    instance: options.instance,
    logger,
    routes: (router) => router.service(AuthService, createAuthService({ core, logger })),
    configure: (app) => addJwksRoute(app, { jwks: core.jwks }),
    unaryFastPath: true,
  });
}
