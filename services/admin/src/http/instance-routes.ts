import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { instanceJson, serviceTypeJson } from "../instances/instance-json.js";
import { type ApiContext, openSessionStream, requireSession } from "./api-context.js";
import { apiErrorFrom, notFound } from "./api-error.js";
import { parseInput } from "./parse-input.js";

const trafficQuery = z.strictObject({
  seconds: z.coerce
    .number({ error: "must be a whole number of seconds" })
    .int("must be a whole number of seconds")
    .min(1, "must be at least 1")
    .max(600, "must be at most 600 (the window kept)")
    .default(300),
});

const instanceParams = z.strictObject({
  id: z.string().min(1, "is required").max(300, "must be at most 300 characters"),
});

const weightBody = z.strictObject({
  weight: z
    .number({ error: "must be a whole number from 0 to 1000" })
    .int("must be a whole number from 0 to 1000")
    .min(0, "must be a whole number from 0 to 1000")
    .max(1000, "must be a whole number from 0 to 1000"),
});

const drainBody = z.strictObject({
  draining: z.boolean({ error: "must be true or false" }),
});

const emptyQuery = z.strictObject({});

/** Overview, traffic, one instance, weight and drain, and the live events. */
export function registerInstanceRoutes(api: FastifyInstance, ctx: ApiContext): void {
  const { registry } = ctx.upstreams;

  api.get("/overview", async (request) => {
    await requireSession(ctx, request);
    parseInput(emptyQuery, request.query, "query");
    try {
      const [types, list] = await Promise.all([
        registry.listServiceTypes({}, { timeoutMs: 5_000 }),
        registry.listInstances({}, { timeoutMs: 5_000 }),
      ]);
      return {
        types: types.serviceTypes.map(serviceTypeJson),
        instances: list.instances.map(instanceJson),
      };
    } catch (err) {
      throw apiErrorFrom(err, "registry");
    }
  });

  api.get("/traffic", async (request) => {
    await requireSession(ctx, request);
    const { seconds } = parseInput(trafficQuery, request.query, "query");
    return { stepMs: ctx.traffic.stepMs, instances: ctx.traffic.series(seconds) };
  });

  api.get("/instances/:id", async (request) => {
    await requireSession(ctx, request);
    const { id } = parseInput(instanceParams, request.params, "path");
    parseInput(emptyQuery, request.query, "query");
    const serviceType = id.split("@", 1)[0] ?? "";
    let instances: Awaited<ReturnType<typeof registry.listInstances>>["instances"];
    try {
      ({ instances } = await registry.listInstances(
        { serviceType },
        { timeoutMs: 5_000 },
      ));
    } catch (err) {
      throw apiErrorFrom(err, "registry");
    }
    const instance = instances.find((candidate) => candidate.id === id);
    if (instance === undefined) throw notFound(`no instance ${id}`);
    return {
      instance: instanceJson(instance),
      history: ctx.watch.history(id),
      traffic: ctx.traffic.points(id, 600),
    };
  });

  api.post("/instances/:id/weight", async (request) => {
    const session = await requireSession(ctx, request);
    const { id } = parseInput(instanceParams, request.params, "path");
    const { weight } = parseInput(weightBody, request.body, "body");
    try {
      const { instance } = await registry.setWeight(
        { instanceId: id, weight },
        { timeoutMs: 5_000 },
      );
      request.log.info({ user: session.username, instanceId: id, weight }, "weight set");
      return { instance: instance ? instanceJson(instance) : null };
    } catch (err) {
      throw apiErrorFrom(err, "registry");
    }
  });

  api.post("/instances/:id/drain", async (request) => {
    const session = await requireSession(ctx, request);
    const { id } = parseInput(instanceParams, request.params, "path");
    const { draining } = parseInput(drainBody, request.body, "body");
    try {
      const { instance } = await registry.drain(
        { instanceId: id, draining },
        { timeoutMs: 5_000 },
      );
      request.log.info({ user: session.username, instanceId: id, draining }, "drain set");
      return { instance: instance ? instanceJson(instance) : null };
    } catch (err) {
      throw apiErrorFrom(err, "registry");
    }
  });

  api.get("/events", async (request, reply) => {
    const session = await requireSession(ctx, request);
    parseInput(emptyQuery, request.query, "query");
    const stream = openSessionStream(ctx, session, reply, { keepsSessionAlive: true });
    if (stream.signal.aborted) return;
    const stopWatch = ctx.watch.subscribe((event) => {
      if (event.kind === "synced") stream.send("synced", {});
      else stream.send("instance", event);
    });
    const stopTraffic = ctx.traffic.subscribe((tick) => stream.send("traffic", tick));
    stream.signal.addEventListener("abort", () => {
      stopWatch();
      stopTraffic();
    });
  });
}
