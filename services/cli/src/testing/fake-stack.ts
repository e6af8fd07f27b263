// Test fixture, not shipped: the fake auth and todo services behind one
// Connect server on a free port, standing in for the registry's public
// listener.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { AuthService } from "@microtodo/api/auth";
import { TodoService } from "@microtodo/api/todo";
import { createFakeAuth, type FakeAuth, type FakeAuthOptions } from "./fake-auth.js";
import { createFakeTodo, type FakeTodo } from "./fake-todo.js";

/** A running fake stack. */
export interface FakeStack {
  /** Base URL, as --registry takes it. */
  readonly url: string;
  readonly auth: FakeAuth;
  readonly todo: FakeTodo;
  close(): Promise<void>;
}

/** Starts the fake services on 127.0.0.1 and a free port. */
export async function startFakeStack(options: FakeAuthOptions = {}): Promise<FakeStack> {
  const auth = createFakeAuth(options);
  const todo = createFakeTodo(auth);
  const handler = connectNodeAdapter({
    routes: (router) => {
      router.service(AuthService, auth.impl);
      router.service(TodoService, todo.impl);
    },
  });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    auth,
    todo,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
