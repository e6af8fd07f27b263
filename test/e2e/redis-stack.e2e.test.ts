import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AuthService } from "@microtodo/api/auth";
import { RegistryService } from "@microtodo/api/registry";
import { TodoService } from "@microtodo/api/todo";
import { type RedisServer, startRedisServer } from "@microtodo/kit";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestStack, type TestStack, testStackOptions } from "./local-stack.js";

let redis: RedisServer;
let env: TestStack | undefined;

beforeAll(async () => {
  redis = await startRedisServer();
}, 30_000);

afterAll(async () => {
  await env?.stop();
  await redis?.stop();
});

const transport = (baseUrl: string, token?: string) =>
  createConnectTransport({
    baseUrl,
    httpVersion: "1.1",
    interceptors: token
      ? [
          (next) => (req) => {
            req.header.set("authorization", `Bearer ${token}`);
            return next(req);
          },
        ]
      : [],
  });

test("with MICROTODO_REDIS_URL, auth and todo keep their data in Redis across a restart with a fresh data directory", async () => {
  const options = { ...(await testStackOptions()), redisUrl: redis.url };
  env = await startTestStack(options);
  const registry = createClient(RegistryService, transport(env.internalUrl));
  const { instances } = await registry.listInstances({ serviceType: "todo" });
  expect(instances.map((i) => i.metadata.store)).toEqual(["redis", "redis"]);

  const auth = createClient(AuthService, transport(env.publicUrl));
  const password = "redis backed passphrase";
  await auth.register({ username: "rita", password });
  const login = await auth.login({ username: "rita", password });
  const todo = createClient(
    TodoService,
    transport(env.publicUrl, login.tokens?.accessToken),
  );
  const { task } = await todo.createTask({ title: "Kept in Redis" });
  await env.stop();

  // A new data directory: nothing of auth's or todo's can come from SQLite.
  env = await startTestStack({ ...(await testStackOptions()), redisUrl: redis.url });
  const authAgain = createClient(AuthService, transport(env.publicUrl));
  const again = await authAgain.login({ username: "rita", password });
  const todoAgain = createClient(
    TodoService,
    transport(env.publicUrl, again.tokens?.accessToken),
  );
  const { task: found } = await todoAgain.getTask({ taskId: task?.id ?? "" });
  expect(found?.title).toBe("Kept in Redis");
}, 120_000);
