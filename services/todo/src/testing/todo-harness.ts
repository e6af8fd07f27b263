import type { CallOptions, Client } from "@connectrpc/connect";
import { createClient, createRouterTransport } from "@connectrpc/connect";
import { TodoService } from "@microtodo/api/todo";
import type { TodoLimits } from "../domain/todo-limits.js";
import {
  createTodoOperations,
  type TodoOperations,
} from "../operations/todo-operations.js";
import { createTodoService } from "../rpc/todo-service.js";
import { createStaticUserDirectory } from "./static-user-directory.js";
import type { StoreBackend } from "./store-backends.js";
import { createTestIssuer, type TestIssuer, type TestUser } from "./test-issuer.js";

/** Users every harness knows, with tokens. */
export interface HarnessUsers {
  readonly alice: TestUser;
  readonly bob: TestUser;
  readonly carol: TestUser;
}

/** A TodoService over one store, reached through Connect's in-memory transport. */
export interface TodoHarness {
  readonly client: Client<typeof TodoService>;
  readonly operations: TodoOperations;
  readonly issuer: TestIssuer;
  readonly users: HarnessUsers;
  /** Call options carrying the user's bearer token. */
  as(user: TestUser): CallOptions;
}

/** Mints the harness users once per test file. */
export async function createHarnessIdentity() {
  const issuer = await createTestIssuer();
  const users: HarnessUsers = {
    alice: await issuer.user("alice"),
    bob: await issuer.user("bob"),
    carol: await issuer.user("carol"),
  };
  return { issuer, users };
}

/** A fresh store of the backend behind a TodoService with the given limits. */
export function createTodoHarness(
  backend: StoreBackend,
  identity: { issuer: TestIssuer; users: HarnessUsers },
  limits: Partial<TodoLimits> = {},
  extraUsers: readonly TestUser[] = [],
): TodoHarness {
  const { issuer, users } = identity;
  const directory = createStaticUserDirectory([
    users.alice,
    users.bob,
    users.carol,
    ...extraUsers,
  ]);
  const operations = createTodoOperations({ store: backend.open(), directory, limits });
  const transport = createRouterTransport(({ service }) => {
    service(TodoService, createTodoService({ operations, verifier: issuer.verifier }));
  });
  return {
    client: createClient(TodoService, transport),
    operations,
    issuer,
    users,
    as: (user) => ({ headers: { authorization: `Bearer ${user.token}` } }),
  };
}
