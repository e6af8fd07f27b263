import { fastifyCookie } from "@fastify/cookie";
import {
  createHttpKeySource,
  createServiceServer,
  createTokenVerifier,
  type RegistryClient,
  type ServiceServer,
  type TokenVerifier,
} from "@microtodo/kit";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { ApiContext } from "./http/api-context.js";
import { installApiErrorHandler } from "./http/api-errors-handler.js";
import { registerInstanceRoutes } from "./http/instance-routes.js";
import { registerLogRoutes } from "./http/log-routes.js";
import { installSecurityHeaders } from "./http/security-headers.js";
import { registerSessionRoutes } from "./http/session-routes.js";
import { startInstanceWatch } from "./instances/instance-watch.js";
import { AdminSessions } from "./session/admin-sessions.js";
import { registerStaticFiles } from "./static/static-files.js";
import { startTrafficSampler } from "./traffic/traffic-sampler.js";
import { createUpstreamClients } from "./upstream/upstream-clients.js";

/** Largest request body the admin server reads. */
export const maxBodyBytes = 16 * 1024;

/** What the admin app is built from. */
export interface AdminAppOptions {
  readonly instance: string;
  readonly logger: Logger;
  /** The registry's internal listener. */
  readonly registryUrl: string;
  readonly registrySecret: string;
  /** Finds auth and logger instances (the kit's registry client). */
  readonly resolver: Pick<RegistryClient, "resolveUrl" | "forget">;
  /** The built front end (services/admin/dist/web). */
  readonly webDir: string;
  readonly sessionIdleMs: number;
  readonly sessionMaxMs: number;
  /** Time between traffic samples. */
  readonly sampleIntervalMs: number;
  /** Default: the kit's verifier with auth's JWKS, found through `resolver`. */
  readonly verifier?: TokenVerifier;
  /** `: ping` interval on live streams. Default 15000. */
  readonly streamHeartbeatMs?: number;
  /** Live streams one session may hold. Default 8. */
  readonly maxStreamsPerSession?: number;
  /** How often expired sessions are dropped and tokens refreshed. Default 30000. */
  readonly sessionSweepMs?: number;
  /** Access tokens are refreshed this long before they expire. Default 60000. */
  readonly sessionRefreshAheadMs?: number;
  /** How long revoking the sessions' tokens at shutdown may wait for auth. Default 2000. */
  readonly shutdownRevokeTimeoutMs?: number;
  /** The clock sessions expire by, ms since the epoch. Default Date.now. */
  readonly now?: () => number;
}

/** A built admin server and the background work behind it. */
export interface AdminApp {
  readonly server: ServiceServer;
  readonly sessions: AdminSessions;
  /** Stops the watch, the sampler and the sweeps and ends every session; after server.close(). */
  stop(): Promise<void>;
}

/**
 * Builds the admin server: the /api routes of the admin contract, the
 * built front end, and the kit's health, readiness and metrics on one
 * port. It starts watching the registry and sampling traffic at once but
 * does not listen, so tests can use port 0.
 */
export async function createAdminApp(options: AdminAppOptions): Promise<AdminApp> {
  const { logger } = options;
  const upstreams = createUpstreamClients(options);
  const verifier =
    options.verifier ??
    createTokenVerifier({
      keySource: createHttpKeySource({
        baseUrl: () => options.resolver.resolveUrl("auth"),
      }),
    });
  const sessions = new AdminSessions({
    auth: upstreams.auth,
    onAuthFailure: (err) => upstreams.noteFailure("auth", err),
    verifier,
    logger,
    idleMs: options.sessionIdleMs,
    maxMs: options.sessionMaxMs,
    refreshAheadMs: options.sessionRefreshAheadMs,
    now: options.now,
  });
  const shutdown = new AbortController();
  const watch = startInstanceWatch({ registry: upstreams.registry, logger });
  const ctx: ApiContext = {
    sessions,
    upstreams,
    watch,
    traffic: startTrafficSampler({
      registry: upstreams.registry,
      logger,
      stepMs: options.sampleIntervalMs,
      // The registry announces no health check or load change on its
      // watch; the sampler's read, every step anyway, brings them.
      onRead: (instances, sentAtMs) => watch.refreshLive(instances, sentAtMs),
    }),
    streams: {
      heartbeatMs: options.streamHeartbeatMs ?? 15_000,
      maxPerSession: options.maxStreamsPerSession ?? 8,
      shutdown: shutdown.signal,
    },
  };
  const sweep = setInterval(() => {
    sessions.sweep().catch((err) => logger.warn({ err }, "session sweep failed"));
  }, options.sessionSweepMs ?? 30_000);
  sweep.unref();

  const server = await createServiceServer({
    service: "admin",
    instance: options.instance,
    logger,
    maxBodyBytes,
    configure: (app) => configureRoutes(app, ctx, options.webDir),
  });
  // Live streams would hold the drain open until its deadline; they end
  // at once instead, and browsers reconnect to another instance.
  server.drainSignal.addEventListener("abort", () => shutdown.abort());

  return {
    server,
    sessions,
    async stop() {
      shutdown.abort();
      clearInterval(sweep);
      await Promise.all([ctx.watch.stop(), ctx.traffic.stop()]);
      await sessions.close(options.shutdownRevokeTimeoutMs);
    },
  };
}

async function configureRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  webDir: string,
): Promise<void> {
  installSecurityHeaders(app);
  await app.register(fastifyCookie);
  await app.register(
    async (api) => {
      installApiErrorHandler(api, maxBodyBytes);
      registerSessionRoutes(api, ctx);
      registerInstanceRoutes(api, ctx);
      registerLogRoutes(api, ctx);
    },
    { prefix: "/api" },
  );
  await registerStaticFiles(app, webDir);
}
