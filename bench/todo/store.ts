// Todo store throughput and list latency, straight against each store (no
// RPC, no registry), with raw baselines measured in the same run:
//   npx tsx --conditions source bench/todo/store.ts [--redis <url>|auto]
//     [--creates 4000] [--others 100000] [--skip-stack]
// "--redis auto" starts a private redis-server; without --redis only
// SQLite runs. Creates and lists go through the todo operations layer
// (validation, placement, version checks), the same code a request runs.
// Afterwards it runs through-registry.ts (the same calls end to end through
// the real stack) with the same --redis, unless --skip-stack.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  createTodoOperations,
  dueSortKey,
  keyBetween,
  openRedisTodoStore,
  openSqliteTodoStore,
  type PositionRef,
  type StoredTask,
  type TodoOperations,
  type TodoStore,
} from "@microtodo/todo";
import Database from "better-sqlite3";
import { Redis } from "ioredis";
import { startPrivateRedis } from "./private-redis.js";

const { values: args } = parseArgs({
  options: {
    redis: { type: "string" },
    creates: { type: "string", default: "4000" },
    others: { type: "string", default: "100000" },
    "skip-stack": { type: "boolean", default: false },
  },
});
const CREATES = Number(args.creates);
const OTHER_TASKS = Number(args.others);
const CONCURRENCY = 16;
const LIST_CALLS = 1000;
const PAGE_SIZE = 50;

interface Row {
  readonly store: string;
  readonly what: string;
  readonly perSecond?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly note?: string;
}

const callerOf = (name: string) => ({
  userId: randomUUID(),
  username: name,
  accessToken: "",
});
const noDirectory = { lookup: async () => new Map() };

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs `perWorker` operations on each of `workers` concurrent loops; returns ops/s. */
async function concurrently(
  workers: number,
  perWorker: number,
  op: (worker: number, i: number) => Promise<unknown>,
): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let i = 0; i < perWorker; i++) await op(worker, i);
    }),
  );
  return (workers * perWorker) / ((performance.now() - start) / 1000);
}

/** Sequential calls; returns ops/s and latency percentiles. */
async function timed(calls: number, op: () => Promise<unknown>) {
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await op();
    samples.push(performance.now() - t0);
  }
  const perSecond = calls / ((performance.now() - start) / 1000);
  return { perSecond, p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99) };
}

/** Opens a fresh store; "crowded" ones get their own keyspace or file. */
type StoreOpener = (variant: "main" | "quiet" | "crowded") => TodoStore;

async function benchStore(name: string, open: StoreOpener): Promise<Row[]> {
  const store = open("main");
  const ops = createTodoOperations({ store, directory: noDirectory });
  const writers = Array.from({ length: CONCURRENCY }, (_, i) => callerOf(`writer${i}`));
  const perWriter = Math.ceil(CREATES / CONCURRENCY);
  const createRate = await concurrently(CONCURRENCY, perWriter, (w, i) =>
    ops.createTask(writers[w] as ReturnType<typeof callerOf>, {
      listId: "",
      title: `task ${i}`,
    }),
  );
  const reader = writers[0] as ReturnType<typeof callerOf>;
  const list = await timed(LIST_CALLS, () => listPage(ops, reader));
  await store.close();
  return [
    {
      store: name,
      what: `create (${CONCURRENCY} users in parallel)`,
      perSecond: createRate,
    },
    { store: name, what: `list a page of ${PAGE_SIZE}`, ...list },
    ...(await listLatencyVersusOthers(name, open)),
  ];
}

function listPage(ops: TodoOperations, caller: ReturnType<typeof callerOf>) {
  return ops.listTasks(caller, {
    listId: "",
    sharedWithMe: false,
    order: "position",
    pageSize: PAGE_SIZE,
    pageToken: "",
  });
}

/**
 * List latency of one user in a store holding 1 other user's task against
 * one holding OTHER_TASKS of them, measured in alternating slices so the
 * load of a shared machine drifts over both alike.
 */
async function listLatencyVersusOthers(name: string, open: StoreOpener): Promise<Row[]> {
  const me = callerOf("me");
  const quiet = open("quiet");
  const crowded = open("crowded");
  const quietOps = createTodoOperations({ store: quiet, directory: noDirectory });
  const crowdedOps = createTodoOperations({ store: crowded, directory: noDirectory });
  for (const ops of [quietOps, crowdedOps]) {
    for (let i = 0; i < 200; i++)
      await ops.createTask(me, { listId: "", title: `mine ${i}` });
  }
  await quietOps.createTask(callerOf("other"), { listId: "", title: "lonely" });
  const fillStart = performance.now();
  await fillOtherUsers(crowded, OTHER_TASKS);
  const fillSeconds = (performance.now() - fillStart) / 1000;
  const samples = { quiet: [] as number[], crowded: [] as number[] };
  for (let slice = 0; slice < 10; slice++) {
    for (const [key, ops] of [
      ["quiet", quietOps],
      ["crowded", crowdedOps],
    ] as const) {
      for (let i = 0; i < LIST_CALLS / 10; i++) {
        const t0 = performance.now();
        await listPage(ops, me);
        samples[key].push(performance.now() - t0);
      }
    }
  }
  await Promise.all([quiet.close(), crowded.close()]);
  const stats = (values: number[]) => ({
    p50Ms: percentile(values, 50),
    p99Ms: percentile(values, 99),
  });
  const before = stats(samples.quiet);
  const after = stats(samples.crowded);
  return [
    { store: name, what: "list, 1 other user's task present", ...before },
    {
      store: name,
      what: `list, ${OTHER_TASKS.toLocaleString("en")} other users' tasks present`,
      ...after,
      note: `p50 x${(after.p50Ms / before.p50Ms).toFixed(2)} (fill took ${fillSeconds.toFixed(1)} s)`,
    },
  ];
}

/**
 * Adds `total` tasks spread over 1,000 other users straight through the
 * store (setup, not measurement: the operations layer would only add
 * a neighbour read per task).
 */
async function fillOtherUsers(store: TodoStore, total: number): Promise<void> {
  const users = 1000;
  const perUser = Math.ceil(total / users);
  await concurrently(CONCURRENCY, Math.ceil(users / CONCURRENCY), async () => {
    const ownerId = randomUUID();
    const list = await store.ensureDefaultList({
      id: randomUUID(),
      ownerId,
      name: "Tasks",
      isDefault: true,
      createdAtMs: Date.now(),
      updatedAtMs: Date.now(),
    });
    let lo: PositionRef | null = null;
    for (let n = 0; n < perUser; n++) {
      const task: StoredTask = {
        id: randomUUID(),
        listId: list.id,
        ownerId,
        ownerUsername: "other",
        title: `t${n}`,
        notes: "",
        completed: false,
        completedAtMs: null,
        due: null,
        dueKey: dueSortKey(null),
        position: keyBetween(lo?.position ?? null, null),
        createdAtMs: Date.now(),
        updatedAtMs: Date.now(),
        version: 1,
        shares: [],
      };
      const gap = { listId: list.id, lo, hi: null };
      await store.putTask(task, { expectedVersion: 0, gap, maxTasksPerList: 10_000 });
      lo = { taskId: task.id, position: task.position };
    }
  });
}

/** Raw better-sqlite3 baseline: the same row count, one autocommit INSERT each, same pragmas. */
function sqliteBaseline(folder: string): Row[] {
  const db = new Database(join(folder, "raw.sqlite"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(
    "CREATE TABLE t (id TEXT PRIMARY KEY, list_id TEXT, position TEXT, title TEXT, json TEXT);" +
      "CREATE UNIQUE INDEX t_pos ON t (list_id, position)",
  );
  const insert = db.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)");
  const payload = JSON.stringify({ title: "task", notes: "", completed: false });
  const start = performance.now();
  for (let i = 0; i < CREATES; i++) {
    insert.run(
      randomUUID(),
      `l${i % CONCURRENCY}`,
      String(i).padStart(8, "0"),
      "task",
      payload,
    );
  }
  const perSecond = CREATES / ((performance.now() - start) / 1000);
  const select = db.prepare(
    "SELECT * FROM t WHERE list_id = ? ORDER BY position LIMIT ?",
  );
  const samples: number[] = [];
  const listStart = performance.now();
  for (let i = 0; i < LIST_CALLS; i++) {
    const t0 = performance.now();
    select.all("l0", PAGE_SIZE);
    samples.push(performance.now() - t0);
  }
  const listRate = LIST_CALLS / ((performance.now() - listStart) / 1000);
  db.close();
  return [
    { store: "sqlite raw", what: "INSERT one row (autocommit)", perSecond },
    {
      store: "sqlite raw",
      what: `SELECT ${PAGE_SIZE} rows by index`,
      perSecond: listRate,
      p50Ms: percentile(samples, 50),
      p99Ms: percentile(samples, 99),
    },
  ];
}

/** Raw ioredis baseline: one HSET per task from the same number of parallel loops. */
async function redisBaseline(url: string): Promise<Row[]> {
  const redis = new Redis(url);
  const prefix = `raw${randomUUID().slice(0, 8)}:`;
  const payload = JSON.stringify({ title: "task", notes: "", completed: false });
  const perWorker = Math.ceil(CREATES / CONCURRENCY);
  const perSecond = await concurrently(CONCURRENCY, perWorker, (w, i) =>
    redis.hset(`${prefix}${w}:${i}`, "v", 1, "j", payload),
  );
  const list = await timed(LIST_CALLS, async () => {
    const pipeline = redis.pipeline();
    for (let i = 0; i < PAGE_SIZE; i++) pipeline.hget(`${prefix}0:${i}`, "j");
    await pipeline.exec();
  });
  await redis.quit();
  return [
    {
      store: "redis raw",
      what: `HSET one task (${CONCURRENCY} loops in parallel)`,
      perSecond,
    },
    { store: "redis raw", what: `pipelined HGET of ${PAGE_SIZE}`, ...list },
  ];
}

// The crowded Redis store lives in the next logical database, so its
// 100,000 tasks do not share a keyspace with the quiet one.
function otherDatabase(url: string): string {
  const parsed = new URL(url);
  const current = Number(parsed.pathname.slice(1) || "0");
  parsed.pathname = `/${(current + 1) % 16}`;
  return parsed.toString();
}

function printTable(rows: readonly Row[]): void {
  const header = ["store", "what", "ops/s", "p50 ms", "p99 ms", "note"];
  const cells = rows.map((row) => [
    row.store,
    row.what,
    row.perSecond === undefined ? "" : Math.round(row.perSecond).toLocaleString("en"),
    row.p50Ms === undefined ? "" : row.p50Ms.toFixed(3),
    row.p99Ms === undefined ? "" : row.p99Ms.toFixed(3),
    row.note ?? "",
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)),
  );
  const line = (values: string[]) =>
    `| ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of cells) console.log(line(row));
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), "todo-bench-"));
  const rows: Row[] = [];
  const privateRedis = args.redis === "auto" ? await startPrivateRedis() : undefined;
  const redisUrl = privateRedis?.url ?? args.redis;
  try {
    rows.push(...sqliteBaseline(folder));
    rows.push(
      ...(await benchStore("sqlite", (variant) =>
        openSqliteTodoStore({ path: join(folder, `${variant}.sqlite`) }),
      )),
    );
    if (redisUrl) {
      rows.push(...(await redisBaseline(redisUrl)));
      rows.push(
        ...(await benchStore("redis", (variant) =>
          openRedisTodoStore({
            url: variant === "crowded" ? otherDatabase(redisUrl) : redisUrl,
            keyPrefix: `bench${randomUUID().slice(0, 8)}:`,
          }),
        )),
      );
    }
  } finally {
    await privateRedis?.stop();
    rmSync(folder, { recursive: true, force: true });
  }
  printTable(rows);
  if (!redisUrl) console.log("\n(Redis skipped: pass --redis <url> or --redis auto.)");
}

/** Runs through-registry.ts in its own process, after this one's stores
 * are closed, so that the two do not share the cores. */
function runThroughRegistry(): void {
  console.log("\n### Through the registry: the real stack, end to end\n");
  const script = join(import.meta.dirname, "through-registry.ts");
  const redis = args.redis === undefined ? [] : ["--redis", args.redis];
  const result = spawnSync(process.execPath, [...process.execArgv, script, ...redis], {
    stdio: "inherit",
  });
  if (result.status !== 0) process.exitCode = 1;
}

await main();
if (!args["skip-stack"]) runThroughRegistry();
