import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { Permission, TodoService } from "@microtodo/api/todo";
import { createLogger, parseConfig } from "@microtodo/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteTodoStore } from "./store/sqlite-todo-store.js";
import { createStaticUserDirectory } from "./testing/static-user-directory.js";
import {
  createTestIssuer,
  type TestIssuer,
  type TestUser,
} from "./testing/test-issuer.js";
import { createTodoApp, type TodoApp } from "./todo-app.js";
import { todoConfigSchema } from "./todo-config.js";

const folder = mkdtempSync(join(tmpdir(), "todo-app-"));
let issuer: TestIssuer;
let alice: TestUser;
let bob: TestUser;
let app: TodoApp;
let url: string;
const store = openSqliteTodoStore({ path: join(folder, "todo.sqlite") });

beforeAll(async () => {
  issuer = await createTestIssuer();
  alice = await issuer.user("alice");
  bob = await issuer.user("bob");
  app = await createTodoApp({
    instance: "test",
    logger: createLogger({ service: "todo", instance: "test", level: "silent" }),
    store,
    verifier: issuer.verifier,
    directory: createStaticUserDirectory([alice, bob]),
  });
  url = (await app.server.listen({ host: "127.0.0.1", port: 0 })).url;
});

afterAll(async () => {
  await app?.server.close();
  await store.close();
  rmSync(folder, { recursive: true, force: true });
});

const bearer = (user: TestUser) => ({
  headers: { authorization: `Bearer ${user.token}` },
});

describe("todo app on one port", () => {
  it("serves TodoService over Connect and gRPC, and the REST facade, on the same port", async () => {
    const connect = createClient(
      TodoService,
      createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
    );
    const grpc = createClient(TodoService, createGrpcTransport({ baseUrl: url }));
    const { task } = await connect.createTask({ title: "from Connect" }, bearer(alice));
    await grpc.shareTask(
      { taskId: task?.id ?? "", username: "bob", permission: Permission.VIEW },
      bearer(alice),
    );
    const shared = await grpc.listSharedWithMe({}, bearer(bob));
    expect(shared.tasks.map((t) => t.title)).toEqual(["from Connect"]);
    const rest = await fetch(`${url}/api/todos`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(rest.status).toBe(200);
    expect(((await rest.json()) as { title: string }[]).map((t) => t.title)).toEqual([
      "from Connect",
    ]);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });
});

describe("todo config", () => {
  it("defaults to port 8083, SQLite, weight 100 and auth through the registry", () => {
    const result = parseConfig(todoConfigSchema, {});
    expect(result.ok && result.value).toMatchObject({
      port: 8083,
      redisUrl: "",
      weight: 100,
      authUrl: "",
    });
  });

  it("names each bad variable", () => {
    const result = parseConfig(todoConfigSchema, {
      MICROTODO_REDIS_URL: "http://not-redis",
      MICROTODO_WEIGHT: "5000",
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.some((p) => p.startsWith("MICROTODO_REDIS_URL"))).toBe(true);
    expect(problems.some((p) => p.startsWith("MICROTODO_WEIGHT"))).toBe(true);
  });
});
