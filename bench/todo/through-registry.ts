// Todo calls end to end: the real local stack (registry, auth, two todo
// instances, logger, admin; SQLite in a temp dir, or Redis) on free ports,
// one user, and a client over HTTP/1.1 making CreateTask and ListTasks
// calls through the registry's public listener, with the same calls made
// straight to one todo instance as the baseline in the same run.
//   npx tsx --conditions source bench/todo/through-registry.ts
//     [--redis <url>|auto] [--callers 16] [--duration-s 5] [--warmup-s 1]
//     [--run-from source|dist] [--client lean|connect|wrk]
// "--redis auto" starts a private redis-server; SQLite always runs.
// "--client lean" (the default) is lean-todo-client.ts; "connect" is
// @connectrpc/connect-node's client, which costs about three times the CPU;
// "wrk" (wrk-todo-load.ts) sends the same bytes for a tenth of the lean
// client's CPU but checks only the HTTP status of the answers.
import { Agent } from "node:http";
import { parseArgs } from "node:util";
import { create, toBinary } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AuthService } from "@microtodo/api/auth";
import {
  CreateTaskRequestSchema,
  ListTasksRequestSchema,
  TodoService,
} from "@microtodo/api/todo";
import { type BenchStack, startBenchStack } from "./bench-stack.js";
import { type LoadResult, runLoad } from "./call-load.js";
import { createLeanTodoClient, type TodoCalls } from "./lean-todo-client.js";
import { startPrivateRedis } from "./private-redis.js";
import { runWrkLoad } from "./wrk-todo-load.js";

const { values: args } = parseArgs({
  options: {
    redis: { type: "string" },
    callers: { type: "string", default: "16" },
    "duration-s": { type: "string", default: "5" },
    "warmup-s": { type: "string", default: "1" },
    "run-from": { type: "string", default: "source" },
    client: { type: "string", default: "lean" },
  },
});
const callers = Number(args.callers);
const durationMs = Number(args["duration-s"]) * 1000;
const warmupMs = Number(args["warmup-s"]) * 1000;
const runFrom = args["run-from"] === "dist" ? "dist" : "source";
const clientKind =
  args.client === "connect" ? "connect" : args.client === "wrk" ? "wrk" : "lean";
const pageSize = 50;
/** The goal for creates through the registry on SQLite. */
const targetCreatesPerS = 2000;

type TodoClient = TodoCalls;

/** One load run with the CPU each part spent per successful call, in µs. */
interface Measurement extends LoadResult {
  readonly clientCpuUs: number;
  readonly registryCpuUs: number;
  readonly todoCpuUs: number;
  readonly othersCpuUs: number;
}

interface Row extends Measurement {
  readonly store: string;
  readonly call: string;
  readonly target: string;
  readonly direct: LoadResult;
}

async function main(): Promise<void> {
  const rows: Row[] = [...(await benchStore("sqlite", undefined))];
  const privateRedis = args.redis === "auto" ? await startPrivateRedis() : undefined;
  const redisUrl = privateRedis?.url ?? args.redis;
  try {
    if (redisUrl) rows.push(...(await benchStore("redis", redisUrl)));
  } finally {
    await privateRedis?.stop();
  }
  printTable(rows);
  if (!redisUrl) console.log("\n(Redis skipped: pass --redis <url> or --redis auto.)");
}

/** Starts a stack on one store and measures both calls both ways. */
async function benchStore(store: string, redisUrl: string | undefined): Promise<Row[]> {
  const stack = await startBenchStack({ redisUrl, runFrom });
  try {
    const token = await registerAndLogin(stack.publicUrl);
    const viaRegistry = todoClient(stack.publicUrl, token);
    const direct = todoClient(stack.todoUrls[0] as string, token);
    const clients = { viaRegistry, direct, token };
    // One list per caller, so that callers do not contend on one list's
    // positions and no list nears its task limit.
    const lists = await Promise.all(
      Array.from({ length: callers }, async (_, i) => {
        const { list } = await viaRegistry.createList({ name: `bench ${i}` });
        return list?.id ?? "";
      }),
    );
    try {
      return await measureBothWays(store, stack, clients, lists);
    } finally {
      await Promise.all([viaRegistry.close(), direct.close()]);
    }
  } finally {
    await stack.stop();
  }
}

/** Makes one run's calls for `durationMs`; returns what they did and the
 * CPU the client spent, in ms. */
type CallLoad = (durationMs: number) => Promise<LoadResult & { clientCpuMs: number }>;

/** The calls measured, each as a load on a base URL. */
interface Calls {
  readonly name: string;
  load(target: { client: TodoClient; url: string }): CallLoad;
}

async function measureBothWays(
  store: string,
  stack: BenchStack,
  clients: { viaRegistry: TodoClient; direct: TodoClient; token: string },
  lists: readonly string[],
): Promise<Row[]> {
  const rows: Row[] = [];
  const targets = {
    direct: { client: clients.direct, url: stack.todoUrls[0] as string },
    registry: { client: clients.viaRegistry, url: stack.publicUrl },
  };
  for (const calls of [
    createCalls(lists, clients.token),
    listCalls(lists, clients.token),
  ]) {
    const direct = await warmUpAndMeasure(stack, calls.load(targets.direct));
    const registry = await warmUpAndMeasure(stack, calls.load(targets.registry));
    const registryTarget = `registry (${stack.todoUrls.length} instances)`;
    const call = calls.name;
    rows.push({ store, call, target: "direct (1 instance)", ...direct, direct });
    rows.push({ store, call, target: registryTarget, ...registry, direct });
  }
  return rows;
}

function createCalls(lists: readonly string[], token: string): Calls {
  const bodies = lists.map((listId) =>
    toBinary(
      CreateTaskRequestSchema,
      create(CreateTaskRequestSchema, { listId, title: "wrk task" }),
    ),
  );
  return {
    name: "CreateTask",
    load: ({ client, url }) =>
      clientKind === "wrk"
        ? wrkLoad(url, "CreateTask", token, bodies)
        : inProcessLoad((caller, i) =>
            client.createTask({ listId: lists[caller], title: `task ${caller}-${i}` }),
          ),
  };
}

function listCalls(lists: readonly string[], token: string): Calls {
  const bodies = lists.map((listId) =>
    toBinary(
      ListTasksRequestSchema,
      create(ListTasksRequestSchema, { listId, pageSize }),
    ),
  );
  return {
    name: `ListTasks (page of ${pageSize})`,
    load: ({ client, url }) =>
      clientKind === "wrk"
        ? wrkLoad(url, "ListTasks", token, bodies)
        : inProcessLoad((caller) =>
            client.listTasks({ listId: lists[caller], pageSize }),
          ),
  };
}

/** wrk with one connection per caller, sending `bodies` in turn. */
function wrkLoad(
  baseUrl: string,
  method: string,
  token: string,
  bodies: readonly Uint8Array[],
): CallLoad {
  return (durationMs) =>
    runWrkLoad({
      baseUrl,
      path: `/microtodo.todo.v1.TodoService/${method}`,
      token,
      bodies,
      connections: callers,
      durationMs,
    });
}

/** Callers in this process, each making one call after another. */
function inProcessLoad(call: (caller: number, i: number) => Promise<unknown>): CallLoad {
  return async (durationMs) => {
    const before = process.cpuUsage();
    const result = await runLoad(callers, durationMs, call);
    const used = process.cpuUsage(before);
    return { ...result, clientCpuMs: (used.user + used.system) / 1000 };
  };
}

async function warmUpAndMeasure(stack: BenchStack, load: CallLoad): Promise<Measurement> {
  await load(warmupMs);
  const stackBefore = stack.cpuMs();
  const result = await load(durationMs);
  const stackAfter = stack.cpuMs();
  const perCallUs = (ms: number) => (ms * 1000) / Math.max(1, result.calls);
  return {
    ...result,
    clientCpuUs: perCallUs(result.clientCpuMs),
    registryCpuUs: perCallUs(stackAfter.registry - stackBefore.registry),
    todoCpuUs: perCallUs(stackAfter.todo - stackBefore.todo),
    othersCpuUs: perCallUs(stackAfter.others - stackBefore.others),
  };
}

async function registerAndLogin(publicUrl: string): Promise<string> {
  const auth = createClient(AuthService, transport(publicUrl));
  const username = `bench-${Date.now().toString(36)}`;
  const password = "bench-password-not-common-4711";
  await auth.register({ username, password });
  const { tokens } = await auth.login({ username, password });
  return tokens?.accessToken ?? "";
}

function todoClient(baseUrl: string, token: string): TodoClient {
  // wrk makes the measured calls; the lean client sets the lists up.
  if (clientKind !== "connect") return createLeanTodoClient(baseUrl, token, callers);
  const bearer: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  const client: Client<typeof TodoService> = createClient(
    TodoService,
    transport(baseUrl, [bearer]),
  );
  return {
    createList: (init) => client.createList(init),
    createTask: (init) => client.createTask(init),
    listTasks: (init) => client.listTasks(init),
    close: async () => {},
  };
}

function transport(baseUrl: string, interceptors: Interceptor[] = []) {
  return createConnectTransport({
    baseUrl,
    httpVersion: "1.1",
    useBinaryFormat: true,
    interceptors,
    // One kept-alive connection per caller, as a pool of clients would hold.
    nodeOptions: { agent: new Agent({ keepAlive: true, maxSockets: callers }) },
  });
}

function printTable(rows: readonly Row[]): void {
  console.log(
    `${callers} concurrent callers, ${durationMs / 1000} s per run after a ` +
      `${warmupMs / 1000} s warm-up, Connect binary over HTTP/1.1 (${clientKind} client), ` +
      `services from ${runFrom}\n`,
  );
  console.log(
    "| store | call | target | calls/s | p50 ms | p99 ms | calls/s vs direct " +
      "| p99 vs direct | client CPU µs/call | registry CPU µs/call " +
      "| todo CPU µs/call | others CPU µs/call | errors |",
  );
  console.log("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const row of rows) {
    console.log(
      `| ${row.store} | ${row.call} | ${row.target} | ${row.perSecond.toFixed(0)} ` +
        `| ${row.p50Ms.toFixed(2)} | ${row.p99Ms.toFixed(2)} ` +
        `| ${(row.perSecond / row.direct.perSecond).toFixed(2)} ` +
        `| ${(row.p99Ms / row.direct.p99Ms).toFixed(2)} | ${row.clientCpuUs.toFixed(0)} ` +
        `| ${row.registryCpuUs.toFixed(0)} | ${row.todoCpuUs.toFixed(0)} ` +
        `| ${row.othersCpuUs.toFixed(0)} | ${row.errors} |`,
    );
  }
  printVerdict(rows);
}

function printVerdict(rows: readonly Row[]): void {
  const creates = rows.find(
    (r) =>
      r.store === "sqlite" && r.call === "CreateTask" && r.target.startsWith("registry"),
  );
  if (creates) {
    const met = creates.perSecond >= targetCreatesPerS ? "met" : "MISSED";
    console.log(
      `\ntarget: >= ${targetCreatesPerS} creates/s through the registry on SQLite: ${met}`,
    );
  }
  const failed = rows.filter((r) => r.errors > 0);
  for (const row of failed) {
    console.log(
      `${row.store} ${row.call} ${row.target}: ${row.errors} failed calls, first: ${row.firstError}`,
    );
  }
  if (failed.length > 0) process.exitCode = 1;
}

await main();
