import type { FastifyInstance, FastifyRequest } from "fastify";
import { type ApiError, permissionDenied } from "./api-error.js";

/**
 * No inline scripts or styles anywhere: the front end sets element styles
 * through the CSSOM (uPlot does), which style-src does not govern.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

const mutatingMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Sets the security headers on every response and refuses cross-site
 * writes to /api: a mutating request must be JSON (which a form on
 * another site cannot send without a CORS preflight we never grant) and,
 * when the browser names its Origin, come from this very origin.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    reply.header("content-security-policy", contentSecurityPolicy);
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    if (!isApiPath(request.url)) return;
    reply.header("cache-control", "no-store");
    const refusal = crossSiteWriteRefusal(request);
    // Answered here, before any body is read or any route runs.
    if (refusal) return reply.code(refusal.status).send(refusal.toJSON());
  });
}

/** True for /api and everything under it. */
export function isApiPath(url: string): boolean {
  return url === "/api" || url.startsWith("/api/") || url.startsWith("/api?");
}

function crossSiteWriteRefusal(request: FastifyRequest): ApiError | undefined {
  if (!mutatingMethods.has(request.method)) return undefined;
  const mediaType = (request.headers["content-type"] ?? "").split(";")[0]?.trim();
  if (mediaType?.toLowerCase() !== "application/json") {
    return permissionDenied("content-type must be application/json");
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== ownOrigin(request)) {
    return permissionDenied("origin does not match this site");
  }
  return undefined;
}

function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? ""}`;
}
