import cors from "@fastify/cors";
import type { TokenVerifier } from "@microtodo/kit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { authenticateCaller } from "../auth/authenticate-caller.js";
import type { Caller } from "../operations/operation-context.js";
import type { TodoOperations } from "../operations/todo-operations.js";
import { replyWithError } from "./rest-errors.js";
import {
  parseCreateBody,
  parsePatchBody,
  REST_ROUTE_PREFIX,
  requestBaseUrl,
  restTask,
} from "./rest-task.js";

/** What the REST facade needs. */
export interface RestRoutesDeps {
  readonly operations: TodoOperations;
  readonly verifier: TokenVerifier;
}

const METHODS = ["GET", "POST", "PATCH", "DELETE", "OPTIONS"];

/**
 * Serves the Todo-Backend style REST facade under /api/todos: list,
 * create and clear the caller's default list; get, patch and delete one
 * task. `order` is the task's 1-based rank in its list: sending it on
 * POST or PATCH moves the task to that rank (clamped to the list), so the
 * value read back is where the task ended up, not necessarily the number
 * sent. Everything is registered in its own plugin scope, so CORS, the
 * JSON parser and the error format touch no other route of the server.
 */
export async function registerRestRoutes(
  app: FastifyInstance,
  deps: RestRoutesDeps,
): Promise<void> {
  await app.register(
    async (scope) => {
      await scope.register(cors, {
        origin: "*",
        methods: METHODS,
        allowedHeaders: ["Authorization", "Content-Type"],
        maxAge: 600,
      });
      acceptEmptyJsonBodies(scope);
      scope.setErrorHandler(replyWithError);
      // The CORS plugin's wildcard OPTIONS route covers /api/todos/<id>;
      // the collection itself needs its own for preflights to reach the hook.
      scope.options("", (_request, reply) => reply.code(204).send());
      registerCollectionRoutes(scope, deps);
      registerItemRoutes(scope, deps);
    },
    { prefix: REST_ROUTE_PREFIX },
  );
}

// Browsers send `Content-Type: application/json` with an empty body on GET
// and DELETE; fastify's default parser refuses those, this one reads them
// as no body.
function acceptEmptyJsonBodies(scope: FastifyInstance): void {
  scope.removeContentTypeParser("application/json");
  scope.addContentTypeParser(
    "application/json",
    { parseAs: "string" },
    (_request, body, done) => {
      const text = typeof body === "string" ? body : body.toString("utf8");
      if (text.trim() === "") return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch {
        const err = new Error("body is not valid JSON") as Error & { statusCode: number };
        err.statusCode = 400;
        done(err, undefined);
      }
    },
  );
}

function caller(deps: RestRoutesDeps, request: FastifyRequest): Promise<Caller> {
  return authenticateCaller(deps.verifier, request.headers.authorization);
}

function registerCollectionRoutes(scope: FastifyInstance, deps: RestRoutesDeps): void {
  const ops = deps.operations;
  scope.get("", async (request) => {
    const tasks = await ops.listDefaultListTasks(await caller(deps, request));
    const base = requestBaseUrl(request);
    return tasks.map((task, index) => restTask(task, index + 1, base));
  });
  scope.post("", async (request, reply) => {
    const who = await caller(deps, request);
    const body = parseCreateBody(request.body);
    const task = await ops.createTask(who, {
      listId: "",
      title: body.title,
      ...(body.completed !== undefined ? { completed: body.completed } : {}),
      ...(body.order !== undefined ? { rank: Math.round(body.order) } : {}),
    });
    const json = restTask(task, await ops.rankOf(task), requestBaseUrl(request));
    return reply.code(201).header("location", json.url).send(json);
  });
  scope.delete("", async (request, reply) => {
    await ops.clearDefaultList(await caller(deps, request));
    return reply.code(204).send();
  });
}

function registerItemRoutes(scope: FastifyInstance, deps: RestRoutesDeps): void {
  const ops = deps.operations;
  type ItemRequest = FastifyRequest<{ Params: { id: string } }>;
  const respond = async (request: ItemRequest, reply: FastifyReply, taskId: string) => {
    const task = await ops.getTask(await caller(deps, request), taskId);
    return reply.send(restTask(task, await ops.rankOf(task), requestBaseUrl(request)));
  };
  scope.get("/:id", async (request: ItemRequest, reply) =>
    respond(request, reply, request.params.id),
  );
  scope.patch("/:id", async (request: ItemRequest, reply) => {
    const who = await caller(deps, request);
    const body = parsePatchBody(request.body);
    const { id } = request.params;
    if (body.title !== undefined || body.completed !== undefined) {
      const patch = {
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.completed !== undefined ? { completed: body.completed } : {}),
      };
      // No version in Todo-Backend: the patch applies to the current one.
      await ops.updateTask(who, id, patch, undefined);
    }
    if (body.order !== undefined) {
      await ops.moveTask(who, id, { kind: "rank", rank: Math.round(body.order) });
    }
    return respond(request, reply, id);
  });
  scope.delete("/:id", async (request: ItemRequest, reply) => {
    await ops.deleteTask(await caller(deps, request), request.params.id, 0);
    return reply.code(204).send();
  });
}
