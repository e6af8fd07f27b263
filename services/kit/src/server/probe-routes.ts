import type { FastifyInstance, FastifyReply } from "fastify";
import { type HealthStatus, ServingStatus } from "../health/health-status.js";
import type { Metrics } from "../metrics/create-metrics.js";

/**
 * /healthz (the process answers), /readyz (200 only while SERVING and not
 * draining, so probes and balancers stop sending work) and /metrics.
 */
export function addProbeRoutes(
  app: FastifyInstance,
  health: HealthStatus,
  metrics: Metrics,
): void {
  app.get("/healthz", async () => ({ status: "alive" }));
  app.get("/readyz", async (_request, reply: FastifyReply) => {
    const serving = health.get("") === ServingStatus.SERVING;
    reply.code(serving && !health.drained ? 200 : 503);
    if (health.drained) return { status: "draining" };
    return { status: serving ? "ready" : "starting" };
  });
  app.get("/metrics", async (_request, reply: FastifyReply) => {
    reply.header("content-type", metrics.contentType);
    return metrics.render();
  });
}
