import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { AuthService } from "@microtodo/api/auth";
import { LoggerService } from "@microtodo/api/logger";
import { HealthState, type Instance, RegistryService } from "@microtodo/api/registry";
import { TodoService } from "@microtodo/api/todo";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cliUser } from "./cli-runner.js";
import { startTestStack, type TestStack, testStackOptions } from "./local-stack.js";

// One stack for the whole file: starting it costs seconds, and the tests
// read as one visit, from first sign-up to a restart that keeps the data.
let env: TestStack;

beforeAll(async () => {
  env = await startTestStack(await testStackOptions());
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

const password = "a perfectly fine passphrase";

function connect(baseUrl: string) {
  return createConnectTransport({ baseUrl, httpVersion: "1.1" });
}

async function signUp(username: string): Promise<{ token: string; userId: string }> {
  const auth = createClient(AuthService, connect(env.publicUrl));
  const { user } = await auth.register({ username, password });
  const { tokens } = await auth.login({ username, password });
  return { token: tokens?.accessToken ?? "", userId: user?.id ?? "" };
}

function withToken(token: string): Client<typeof TodoService> {
  const transport = createConnectTransport({
    baseUrl: env.publicUrl,
    httpVersion: "1.1",
    interceptors: [
      (next) => (req) => {
        req.header.set("authorization", `Bearer ${token}`);
        return next(req);
      },
    ],
  });
  return createClient(TodoService, transport);
}

async function todoInstances(): Promise<Instance[]> {
  const registry = createClient(RegistryService, connect(env.internalUrl));
  const { instances } = await registry.listInstances({ serviceType: "todo" });
  return instances;
}

describe("the local stack, through the registry only", () => {
  test("once the stack says ready, the registry counts every process healthy", async () => {
    const registry = createClient(RegistryService, connect(env.internalUrl));
    const { instances } = await registry.listInstances({});
    const planned = env.stack.processes.size - 1; // all but the registry
    expect(instances).toHaveLength(planned);
    expect(instances.filter((i) => i.health !== HealthState.HEALTHY)).toEqual([]);
  });

  test("the CLI takes two users through add, edit, done, move, share, unshare and delete", async () => {
    const alice = cliUser(env.publicUrl);
    const bob = cliUser(env.publicUrl);
    for (const [user, name] of [
      [alice, "alice"],
      [bob, "bob"],
    ] as const) {
      expect(
        (await user.run(["register", name], `${password}\n${password}\n`)).code,
      ).toBe(0);
      expect((await user.run(["login", name], `${password}\n`)).code).toBe(0);
    }
    type TaskJson = { id: string; title: string; completed?: boolean };
    const milk = (await alice.json<{ task: TaskJson }>(["add", "Buy milk"])).task;
    const bread = (await alice.json<{ task: TaskJson }>(["add", "Buy bread"])).task;
    expect((await alice.run(["edit", milk.id, "--title", "Buy oat milk"])).code).toBe(0);
    expect((await alice.run(["done", milk.id])).code).toBe(0);
    expect((await alice.run(["mv", bread.id, "--before", milk.id])).code).toBe(0);
    const listed = await alice.json<{ tasks: TaskJson[] }>(["ls"]);
    expect(listed.tasks.map((t) => t.title)).toEqual(["Buy bread", "Buy oat milk"]);
    expect(listed.tasks[1]?.completed).toBe(true);

    expect((await alice.run(["share", bread.id, "bob"])).code).toBe(0);
    const shared = await bob.json<{ tasks: TaskJson[] }>(["shared"]);
    expect(shared.tasks.map((t) => t.id)).toEqual([bread.id]);
    const viewOnly = await bob.run(["done", bread.id]);
    expect(viewOnly.code).toBe(1);
    expect(viewOnly.stderr).toMatch(/microtodo: /);

    expect((await alice.run(["share", bread.id, "bob", "--edit"])).code).toBe(0);
    expect((await bob.run(["done", bread.id])).code).toBe(0);
    expect((await bob.run(["rm", bread.id])).code).toBe(1);

    expect((await alice.run(["unshare", bread.id, "bob"])).code).toBe(0);
    expect((await bob.json<{ tasks?: TaskJson[] }>(["shared"])).tasks ?? []).toEqual([]);
    expect((await bob.run(["show", bread.id])).code).toBe(1);

    expect((await alice.run(["rm", bread.id])).code).toBe(0);
    const after = await alice.json<{ tasks: TaskJson[] }>(["ls"]);
    expect(after.tasks.map((t) => t.id)).toEqual([milk.id]);
  });

  test("a Connect client registers, logs in, refreshes and authenticates through the public door", async () => {
    const auth = createClient(AuthService, connect(env.publicUrl));
    const { user } = await auth.register({ username: "Judy", password });
    expect(user?.username).toBe("judy");
    const login = await auth.login({ username: "JUDY", password });
    const refreshed = await auth.refresh({
      refreshToken: login.tokens?.refreshToken ?? "",
    });
    const who = await auth.authenticate({
      accessToken: refreshed.tokens?.accessToken ?? "",
    });
    expect(who.username).toBe("judy");
    await expect(
      auth.refresh({ refreshToken: login.tokens?.refreshToken ?? "" }),
    ).rejects.toThrow(/unauthenticated/i);
  });

  test("a Connect client does the round trip: create, list, update, complete, share, delete", async () => {
    const carol = await signUp("carol");
    await signUp("dave");
    const todo = withToken(carol.token);
    const { task } = await todo.createTask({ title: "Water plants" });
    expect(task?.title).toBe("Water plants");
    const id = task?.id ?? "";
    const listed = await todo.listTasks({});
    expect(listed.tasks.map((t) => t.id)).toContain(id);
    const updated = await todo.updateTask({
      taskId: id,
      task: { title: "Water all plants", completed: true },
      updateMask: { paths: ["title", "completed"] },
      expectedVersion: task?.version ?? 0n,
    });
    expect(updated.task?.completed).toBe(true);
    const shared = await todo.shareTask({ taskId: id, username: "dave", permission: 1 });
    expect(shared.task?.shares.map((s) => s.username)).toEqual(["dave"]);
    await todo.deleteTask({ taskId: id });
    await expect(todo.getTask({ taskId: id })).rejects.toThrow(/not.?found/i);
  });

  test("a gRPC client (@grpc/grpc-js over h2c) does the same round trip", async () => {
    const erin = await signUp("erin");
    const definition = protoLoader.loadSync("microtodo/todo/v1/todo.proto", {
      includeDirs: [new URL("../../proto", import.meta.url).pathname],
      longs: String,
      defaults: true,
    });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      microtodo: { todo: { v1: { TodoService: grpc.ServiceClientConstructor } } };
    };
    const address = env.publicUrl.replace("http://", "");
    const client = new loaded.microtodo.todo.v1.TodoService(
      address,
      grpc.credentials.createInsecure(),
    );
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${erin.token}`);
    // grpc-js's generated-at-runtime client has untyped methods.
    const call = <T>(method: string, request: object): Promise<T> =>
      new Promise((resolve, reject) => {
        const fn = client[method] as (
          req: object,
          md: grpc.Metadata,
          cb: (err: grpc.ServiceError | null, res: T) => void,
        ) => void;
        fn.call(client, request, metadata, (err, res) =>
          err ? reject(err) : resolve(res),
        );
      });
    type GrpcTask = { id: string; title: string; completed: boolean; version: string };
    const created = await call<{ task: GrpcTask }>("CreateTask", { title: "Fix bike" });
    const listed = await call<{ tasks: GrpcTask[] }>("ListTasks", {});
    expect(listed.tasks.map((t) => t.title)).toContain("Fix bike");
    const done = await call<{ task: GrpcTask }>("UpdateTask", {
      taskId: created.task.id,
      task: { completed: true },
      updateMask: { paths: ["completed"] },
      expectedVersion: created.task.version,
    });
    expect(done.task.completed).toBe(true);
    await call("DeleteTask", { taskId: created.task.id });
    await expect(call("GetTask", { taskId: created.task.id })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
    client.close();
  });

  test("the REST facade works over plain HTTP with a bearer token", async () => {
    const frank = await signUp("frank");
    const headers = {
      authorization: `Bearer ${frank.token}`,
      "content-type": "application/json",
    };
    const base = `${env.publicUrl}/api/todos`;
    const created = await fetch(base, {
      method: "POST",
      headers,
      body: JSON.stringify({ title: "Call the bank" }),
    });
    expect(created.status).toBe(201);
    const task = (await created.json()) as {
      id: string;
      url: string;
      completed: boolean;
    };
    expect(task.url).toBe(`${base}/${task.id}`);
    const patched = await fetch(task.url, {
      method: "PATCH",
      headers,
      body: JSON.stringify({ completed: true }),
    });
    expect(((await patched.json()) as { completed: boolean }).completed).toBe(true);
    const all = (await (await fetch(base, { headers })).json()) as { id: string }[];
    expect(all.map((t) => t.id)).toEqual([task.id]);
    expect((await fetch(task.url, { method: "DELETE", headers })).ok).toBe(true);
    expect((await fetch(task.url, { headers })).status).toBe(404);
  });

  test("calls spread across the two todo instances by their weights, 300 to 100", async () => {
    const grace = await signUp("grace");
    const todo = withToken(grace.token);
    const before = await todoInstances();
    const calls = 400;
    for (let i = 0; i < calls; i++) await todo.listLists({});
    const after = await todoInstances();
    const served = (address: string) => {
      const count = (list: Instance[]) =>
        Number(list.find((i) => i.address === address)?.stats?.requests ?? 0n);
      return count(after) - count(before);
    };
    const heavy = served(`127.0.0.1:${env.options.ports.todo[0]}`);
    const light = served(`127.0.0.1:${env.options.ports.todo[1]}`);
    expect(heavy + light).toBeGreaterThanOrEqual(calls);
    // Smooth weighted round-robin is exact over a whole cycle; the
    // tolerance covers the few calls the health checks and sign-up add.
    expect(heavy / (heavy + light)).toBeGreaterThan(0.7);
    expect(heavy / (heavy + light)).toBeLessThan(0.8);
  });

  test("a todo instance killed with SIGKILL: calls keep working, it turns unhealthy, it rejoins", async () => {
    const heidi = await signUp("heidi");
    const todo = withToken(heidi.token);
    const victim = env.stack.processes.get("todo-2");
    const address = `127.0.0.1:${env.options.ports.todo[1]}`;
    victim?.kill("SIGKILL");
    let unhealthySeen = false;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !unhealthySeen) {
      // Every call must succeed: one that hits the dead instance is refused
      // before a byte was sent, and the registry retries it elsewhere.
      await todo.listLists({}).catch((err) => {
        throw new Error(`${err}\n${env.output.slice(-40).join("\n")}`);
      });
      const instance = (await todoInstances()).find((i) => i.address === address);
      unhealthySeen = instance === undefined || instance.health !== 2 || instance.ejected;
    }
    expect(unhealthySeen).toBe(true);
    await env.stack.waitProcessReady("todo-2", 30_000);
    const rejoinDeadline = Date.now() + 20_000;
    let healthyAgain = false;
    while (Date.now() < rejoinDeadline && !healthyAgain) {
      const instance = (await todoInstances()).find((i) => i.address === address);
      healthyAgain = instance?.health === 2 && !instance.ejected;
      if (!healthyAgain) await new Promise((r) => setTimeout(r, 250));
    }
    expect(healthyAgain).toBe(true);
  });

  test("logs of the registry, auth and todo are queryable from the logger", async () => {
    const logger = createClient(LoggerService, connect(env.internalUrl));
    for (const serviceType of ["registry", "auth", "todo"]) {
      let found = 0;
      const deadline = Date.now() + 15_000;
      while (found === 0 && Date.now() < deadline) {
        const { records } = await logger.query({ filter: { serviceType }, limit: 5 });
        found = records.length;
        if (found === 0) await new Promise((r) => setTimeout(r, 500));
      }
      expect(found, `records from ${serviceType}`).toBeGreaterThan(0);
    }
  });

  test("the whole stack stopped and started again still has every user and task", async () => {
    const ivan = await signUp("ivan");
    const { task } = await withToken(ivan.token).createTask({
      title: "Survive a restart",
    });
    await env.stop();
    env = await startTestStack(await testStackOptions(env.options.dataDir));
    const auth = createClient(AuthService, connect(env.publicUrl));
    const { tokens } = await auth.login({ username: "ivan", password });
    const again = await withToken(tokens?.accessToken ?? "").getTask({
      taskId: task?.id ?? "",
    });
    expect(again.task?.title).toBe("Survive a restart");
    // The logger stopped after the services, so their last lines are stored.
    const logger = createClient(LoggerService, connect(env.internalUrl));
    const { records } = await logger.query({
      filter: { serviceType: "todo", text: "shutting down" },
    });
    expect(records.length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
