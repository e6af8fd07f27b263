import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createTodoOperations,
  type TodoOperations,
} from "../operations/todo-operations.js";
import { openSqliteTodoStore } from "../store/sqlite-todo-store.js";
import { createStaticUserDirectory } from "../testing/static-user-directory.js";
import {
  createTestIssuer,
  type TestIssuer,
  type TestUser,
} from "../testing/test-issuer.js";
import { registerRestRoutes } from "./register-rest-routes.js";

let issuer: TestIssuer;
let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  issuer = await createTestIssuer();
  alice = await issuer.user("alice");
  bob = await issuer.user("bob");
});

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function buildApp(): Promise<{ app: FastifyInstance; operations: TodoOperations }> {
  const store = openSqliteTodoStore({ path: ":memory:" });
  const operations = createTodoOperations({
    store,
    directory: createStaticUserDirectory([alice, bob]),
  });
  const app = Fastify();
  app.addHook("onClose", () => store.close());
  await registerRestRoutes(app, { operations, verifier: issuer.verifier });
  apps.push(app);
  return { app, operations };
}

const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.token}` });

describe("REST facade /api/todos", () => {
  it("does a full round trip: create, list, patch, complete, reorder, delete, clear", async () => {
    const { app } = await buildApp();
    const headers = { ...bearer(alice), host: "todo.example:8083" };
    const created = await app.inject({
      method: "POST",
      url: "/api/todos",
      headers,
      payload: { title: "walk the dog" },
    });
    expect(created.statusCode).toBe(201);
    const dog = created.json();
    expect(dog).toMatchObject({ title: "walk the dog", completed: false, order: 1 });
    expect(dog.url).toBe(`http://todo.example:8083/api/todos/${dog.id}`);
    expect(created.headers.location).toBe(dog.url);
    const cat = (
      await app.inject({
        method: "POST",
        url: "/api/todos",
        headers,
        payload: { title: "feed the cat", completed: true },
      })
    ).json();
    expect(cat).toMatchObject({ completed: true, order: 2 });

    const listed = await app.inject({ method: "GET", url: "/api/todos", headers });
    expect(listed.json().map((t: { title: string }) => t.title)).toEqual([
      "walk the dog",
      "feed the cat",
    ]);

    const patched = await app.inject({
      method: "PATCH",
      url: `/api/todos/${dog.id}`,
      headers,
      payload: { title: "walk the dog twice", completed: true },
    });
    expect(patched.json()).toMatchObject({
      title: "walk the dog twice",
      completed: true,
      order: 1,
    });
    const reordered = await app.inject({
      method: "PATCH",
      url: `/api/todos/${dog.id}`,
      headers,
      payload: { order: 2 },
    });
    expect(reordered.json().order).toBe(2);
    const one = await app.inject({ method: "GET", url: `/api/todos/${cat.id}`, headers });
    expect(one.json()).toMatchObject({ id: cat.id, order: 1 });

    const removed = await app.inject({
      method: "DELETE",
      url: `/api/todos/${cat.id}`,
      headers,
    });
    expect(removed.statusCode).toBe(204);
    expect(
      (await app.inject({ method: "GET", url: `/api/todos/${cat.id}`, headers }))
        .statusCode,
    ).toBe(404);
    const cleared = await app.inject({ method: "DELETE", url: "/api/todos", headers });
    expect(cleared.statusCode).toBe(204);
    expect(
      (await app.inject({ method: "GET", url: "/api/todos", headers })).json(),
    ).toEqual([]);
  });

  it("places a task created or patched with an order at that rank, clamped to the list", async () => {
    const { app } = await buildApp();
    const headers = bearer(alice);
    const post = async (title: string, order?: number) =>
      (
        await app.inject({
          method: "POST",
          url: "/api/todos",
          headers,
          payload: { title, order },
        })
      ).json();
    await post("b");
    await post("c");
    expect((await post("a", 1)).order).toBe(1);
    expect((await post("z", 523)).order).toBe(4);
    const titles = (
      await app.inject({ method: "GET", url: "/api/todos", headers })
    ).json();
    expect(
      titles.map((t: { title: string; order: number }) => [t.title, t.order]),
    ).toEqual([
      ["a", 1],
      ["b", 2],
      ["c", 3],
      ["z", 4],
    ]);
  });

  it("builds task URLs from the forwarded protocol and host", async () => {
    const { app } = await buildApp();
    const response = await app.inject({
      method: "POST",
      url: "/api/todos",
      headers: {
        ...bearer(alice),
        host: "10.0.0.5:8083",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "todo.example.com, proxy.internal",
      },
      payload: { title: "t" },
    });
    expect(response.json().url).toMatch(
      /^https:\/\/todo\.example\.com\/api\/todos\/[\w-]+$/,
    );
  });

  it("accepts an empty body sent as application/json on GET and DELETE", async () => {
    const { app } = await buildApp();
    const headers = { ...bearer(alice), "content-type": "application/json" };
    const list = await app.inject({
      method: "GET",
      url: "/api/todos",
      headers,
      payload: "",
    });
    expect(list.statusCode).toBe(200);
    const task = (
      await app.inject({
        method: "POST",
        url: "/api/todos",
        headers,
        payload: { title: "t" },
      })
    ).json();
    const removed = await app.inject({
      method: "DELETE",
      url: `/api/todos/${task.id}`,
      headers,
      payload: "",
    });
    expect(removed.statusCode).toBe(204);
    const clear = await app.inject({
      method: "DELETE",
      url: "/api/todos",
      headers,
      payload: "",
    });
    expect(clear.statusCode).toBe(204);
  });

  it("answers CORS preflights on both paths and marks responses for any origin", async () => {
    const { app } = await buildApp();
    for (const url of ["/api/todos", "/api/todos/some-id"]) {
      const preflight = await app.inject({
        method: "OPTIONS",
        url,
        headers: {
          origin: "https://www.todobackend.com",
          "access-control-request-method": "PATCH",
          "access-control-request-headers": "authorization, content-type",
        },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers["access-control-allow-origin"]).toBe("*");
      expect(String(preflight.headers["access-control-allow-methods"])).toContain(
        "PATCH",
      );
      expect(
        String(preflight.headers["access-control-allow-headers"]).toLowerCase(),
      ).toBe("authorization, content-type");
    }
    const response = await app.inject({
      method: "GET",
      url: "/api/todos",
      headers: { ...bearer(alice), origin: "https://example.org" },
    });
    expect(response.headers["access-control-allow-origin"]).toBe("*");
  });

  it("refuses missing or bad tokens with 401 and a Bearer challenge", async () => {
    const { app } = await buildApp();
    for (const headers of [
      {},
      { authorization: "Bearer nope" },
      { authorization: "Basic abc" },
    ]) {
      const response = await app.inject({ method: "GET", url: "/api/todos", headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
      expect(response.json().error.code).toBe("unauthenticated");
    }
  });

  it("answers 400 naming the field for bad bodies, and for malformed JSON", async () => {
    const { app } = await buildApp();
    const headers = bearer(alice);
    const post = (payload: unknown) =>
      app.inject({
        method: "POST",
        url: "/api/todos",
        headers,
        payload: payload as object,
      });
    const missing = await post({});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toMatch(/^title:/);
    const long = await post({ title: "x".repeat(1025) });
    expect(long.json().error.message).toMatch(/^title: at most 1024/);
    const wrongType = await post({ title: "t", completed: "yes" });
    expect(wrongType.json().error.message).toMatch(/^completed:/);
    const broken = await app.inject({
      method: "POST",
      url: "/api/todos",
      headers: { ...headers, "content-type": "application/json" },
      payload: "{not json",
    });
    expect(broken.statusCode).toBe(400);
  });

  it("hides other users' tasks as 404 and refuses an editor's delete with 403", async () => {
    const { app, operations } = await buildApp();
    const task = (
      await app.inject({
        method: "POST",
        url: "/api/todos",
        headers: bearer(alice),
        payload: { title: "mine" },
      })
    ).json();
    const peek = await app.inject({
      method: "GET",
      url: `/api/todos/${task.id}`,
      headers: bearer(bob),
    });
    expect(peek.statusCode).toBe(404);
    expect(
      (
        await app.inject({ method: "GET", url: "/api/todos", headers: bearer(bob) })
      ).json(),
    ).toEqual([]);
    const aliceCaller = { userId: alice.id, username: "alice", accessToken: alice.token };
    await operations.shareTask(aliceCaller, task.id, "bob", "edit");
    const edit = await app.inject({
      method: "PATCH",
      url: `/api/todos/${task.id}`,
      headers: bearer(bob),
      payload: { completed: true },
    });
    expect(edit.json()).toMatchObject({ completed: true });
    const del = await app.inject({
      method: "DELETE",
      url: `/api/todos/${task.id}`,
      headers: bearer(bob),
    });
    expect(del.statusCode).toBe(403);
  });

  it("serves the same round trip over a real socket", async () => {
    const { app } = await buildApp();
    const address = await app.listen({ host: "127.0.0.1", port: 0 });
    const headers = { ...bearer(alice), "content-type": "application/json" };
    const created = await fetch(`${address}/api/todos`, {
      method: "POST",
      headers,
      body: JSON.stringify({ title: "over the wire" }),
    });
    expect(created.status).toBe(201);
    const task = (await created.json()) as { url: string };
    expect(task.url.startsWith(`${address}/api/todos/`)).toBe(true);
    const patched = await fetch(task.url, {
      method: "PATCH",
      headers,
      body: JSON.stringify({ completed: true }),
    });
    expect(await patched.json()).toMatchObject({ completed: true });
    const list = await fetch(`${address}/api/todos`, { headers });
    expect(((await list.json()) as unknown[]).length).toBe(1);
    expect((await fetch(task.url, { method: "DELETE", headers })).status).toBe(204);
  });
});
