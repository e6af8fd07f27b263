import { TodoService } from "@microtodo/api/todo";
import {
  createServiceServer,
  type ServiceServer,
  type TokenVerifier,
} from "@microtodo/kit";
import type { Logger } from "pino";
import type { TodoLimits } from "./domain/todo-limits.js";
import {
  createTodoOperations,
  type TodoOperations,
} from "./operations/todo-operations.js";
import { registerRestRoutes } from "./rest/register-rest-routes.js";
import { createTodoService } from "./rpc/todo-service.js";
import type { TodoStore } from "./store/todo-store.js";
import type { UserDirectory } from "./users/user-directory.js";

/** What the todo app is built from. */
export interface TodoAppOptions {
  readonly instance: string;
  readonly logger: Logger;
  readonly store: TodoStore;
  readonly verifier: TokenVerifier;
  readonly directory: UserDirectory;
  /** Default: the contract's limits. */
  readonly limits?: Partial<TodoLimits>;
}

/** A built todo server (not listening yet) and the operations behind it. */
export interface TodoApp {
  readonly server: ServiceServer;
  readonly operations: TodoOperations;
}

/**
 * Builds the todo server: TodoService over Connect, gRPC and gRPC-Web, the
 * REST facade at /api/todos, and the kit's health, readiness and metrics,
 * all on one port. It does not listen, so tests can use port 0.
 */
export async function createTodoApp(options: TodoAppOptions): Promise<TodoApp> {
  const operations = createTodoOperations({
    store: options.store,
    directory: options.directory,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const { verifier } = options;
  const server = await createServiceServer({
    service: "todo",
    instance: options.instance,
    logger: options.logger,
    routes: (router) => {
      router.service(TodoService, createTodoService({ operations, verifier }));
    },
    configure: (app) => registerRestRoutes(app, { operations, verifier }),
    // The REST routes' CORS hooks are scoped to /api/todos; RPCs need none.
    unaryFastPath: true,
  });
  return { server, operations };
}
