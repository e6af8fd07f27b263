// Logger ingest and read benchmark.
//
//   npx tsx bench/logger/ingest.ts [records]      (default 1,000,000)
//
// 1. Records per second through Push over a real socket (Connect unary,
//    binary, HTTP/1.1, batches of 500, fields as JSON text like the kit's
//    shipper sends them, 4 concurrent clients like 4 shipping services)
//    into a logger in a child process (SQLite, WAL, synchronous=FULL).
//    The first fifth (at most 200,000) goes through the generated client,
//    as services send; the rest as bodies encoded once and restamped
//    (push-body.ts), because here one process plays every client and the
//    generated encoder would make the client the bottleneck. Baselines
//    from the same run: LogStore.insert in-process, and raw better-sqlite3
//    inserts into a bare table (no indexes, same durability). The logger's
//    CPU per record is printed too: on a shared machine it moves less than
//    wall-clock rates.
// 2. Time to fetch the newest 100 records of one instance among all of
//    them, through Query and straight from the store.
// 3. The logger process's heap and RSS as the store grows.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import {
  type Level,
  LoggerService,
  type LogRecord,
  LogRecordSchema,
  PushRequestSchema,
  PushResponseSchema,
} from "@microtodo/api/logger";
import { type NewLogRecord, openLogStore } from "@microtodo/logger";
import Database from "better-sqlite3";
import { PushBodies } from "./push-body.js";

const total = Number(process.argv[2] ?? 1_000_000);
const batchSize = 500;
const clients = 4;
const baselineRecords = Math.min(total, 200_000);
// Records pushed through the generated client before the rest go as
// pre-encoded bodies (see push-body.ts).
const generatedRecords = Math.min(Math.floor(total / 5 / batchSize) * batchSize, 200_000);
const types = ["registry", "auth", "todo", "logger"];
const instancesPerType = 5;
const dir = mkdtempSync(join(tmpdir(), "bench-logger-"));
const startMs = Date.now() - total - 60_000;

function sourceOf(i: number): { serviceType: string; instance: string } {
  const s = i % (types.length * instancesPerType);
  const serviceType = types[s % types.length] ?? "todo";
  return { serviceType, instance: `${serviceType}-${Math.floor(s / types.length)}` };
}

function newRecord(i: number): NewLogRecord {
  return {
    timeMs: startMs + i,
    level: i % 50 === 0 ? 5 : i % 10 === 0 ? 4 : 3,
    ...sourceOf(i),
    message: `request completed: POST /microtodo.todo.v1.TodoService/CreateTask ${i}`,
    requestId: `req-${i.toString(36)}`,
    fieldsJson: JSON.stringify({
      statusCode: 200,
      responseTimeMs: 1.25,
      userId: `u${i % 997}`,
    }),
  };
}

function batchOf(first: number): NewLogRecord[] {
  return Array.from({ length: batchSize }, (_, k) => newRecord(first + k));
}

interface Rate {
  readonly perSecond: number;
  /** CPU of the process doing the storing, per record. */
  readonly cpuUsPerRecord: number;
}

function measureInProcess(records: number, run: () => void): Rate {
  const cpu = process.cpuUsage();
  const started = performance.now();
  run();
  const { user, system } = process.cpuUsage(cpu);
  const ms = performance.now() - started;
  return { perSecond: (records / ms) * 1000, cpuUsPerRecord: (user + system) / records };
}

function rawBaseline(): Rate {
  const db = new Database(join(dir, "raw.sqlite"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(`CREATE TABLE logs (seq INTEGER PRIMARY KEY, time INTEGER, level INTEGER,
    service_type TEXT, instance TEXT, message TEXT, request_id TEXT, fields TEXT)`);
  const insert = db.prepare("INSERT INTO logs VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)");
  const insertBatch = db.transaction((rows: NewLogRecord[]) => {
    for (const r of rows) {
      insert.run(
        r.timeMs,
        r.level,
        r.serviceType,
        r.instance,
        r.message,
        r.requestId,
        r.fieldsJson,
      );
    }
  });
  const batches = Array.from({ length: baselineRecords / batchSize }, (_, b) =>
    batchOf(b * batchSize),
  );
  const rate = measureInProcess(baselineRecords, () => {
    for (const batch of batches) insertBatch(batch);
  });
  db.close();
  return rate;
}

function storeBaseline(): Rate {
  const store = openLogStore({ path: join(dir, "store-only.sqlite"), sync: "full" });
  const batches = Array.from({ length: baselineRecords / batchSize }, (_, b) =>
    batchOf(b * batchSize),
  );
  const rate = measureInProcess(baselineRecords, () => {
    for (const batch of batches) store.insert(batch);
  });
  store.close();
  return rate;
}

interface ChildLogger {
  readonly url: string;
  readonly proc: ChildProcess;
  readonly lines: Interface;
}

interface ChildStats {
  readonly rss: number;
  readonly heapUsed: number;
  readonly usedBytes: number;
  readonly cpuMs: number;
}

async function startChild(): Promise<ChildLogger> {
  const script = join(import.meta.dirname, "logger-child.ts");
  const args = [...process.execArgv, script, join(dir, "logger-bench.sqlite")];
  const proc = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
  const first = await nextLine(lines);
  return { url: (JSON.parse(first) as { url: string }).url, proc, lines };
}

function nextLine(lines: Interface): Promise<string> {
  return new Promise((resolve) => lines.once("line", resolve));
}

async function childStats(child: ChildLogger): Promise<ChildStats> {
  const answer = nextLine(child.lines);
  child.proc.stdin?.write("stats\n");
  return JSON.parse(await answer) as ChildStats;
}

/** Pushes records [from, to) through `pushBatch` with `clients` concurrent callers. */
async function pushRange(
  from: number,
  to: number,
  child: ChildLogger,
  samples: [number, ChildStats][],
  pushBatch: (first: number) => Promise<void>,
): Promise<Rate> {
  let next = from;
  const checkpoints = new Set([1, 2, 3, 4].map((q) => Math.floor((total * q) / 4)));
  const before = await childStats(child);
  const started = performance.now();
  const worker = async () => {
    while (next < to) {
      const first = next;
      next += batchSize;
      await pushBatch(first);
      const end = first + batchSize;
      if (checkpoints.has(end)) samples.push([end, await childStats(child)]);
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  const ms = performance.now() - started;
  const cpuMs = (await childStats(child)).cpuMs - before.cpuMs;
  const records = to - from;
  return { perSecond: (records / ms) * 1000, cpuUsPerRecord: (cpuMs * 1000) / records };
}

/** Pushes through the generated Connect client, as services do. */
function generatedClientPush(
  logger: Client<typeof LoggerService>,
): (first: number) => Promise<void> {
  return async (first) => {
    const res = await logger.push({ records: batchOf(first).map(protoRecord) });
    if (res.stored !== batchSize) throw new Error(`stored ${res.stored} of ${batchSize}`);
  };
}

/** Posts pre-encoded bodies (Connect unary, binary) over keep-alive sockets. */
function preEncodedPush(url: string, agent: Agent): (first: number) => Promise<void> {
  // 500 % (types × instances) === 0, so slot k always has the same source.
  const bodies = new PushBodies(batchOf(0));
  assertSameAsGenerated(bodies);
  return async (first) => {
    const reply = await post(
      `${url}/microtodo.logger.v1.LoggerService/Push`,
      bodies.body(startMs + first),
      agent,
    );
    const res = fromBinary(PushResponseSchema, reply);
    if (res.stored !== batchSize) throw new Error(`stored ${res.stored} of ${batchSize}`);
  };
}

// The hand-built bodies must be exactly what the generated client sends,
// or the benchmark would measure a different request.
function assertSameAsGenerated(bodies: PushBodies): void {
  const generated = toBinary(
    PushRequestSchema,
    create(PushRequestSchema, { records: batchOf(0).map(protoRecord) }),
  );
  if (Buffer.compare(bodies.body(startMs), generated) !== 0) {
    throw new Error("PushBodies differs from the generated encoder");
  }
}

function post(url: string, body: Buffer, agent: Agent): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const headers = {
      "content-type": "application/proto",
      "connect-protocol-version": "1",
    };
    const req = request(url, { method: "POST", agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        if (res.statusCode === 200) resolve(Buffer.concat(chunks));
        else
          reject(new Error(`Push answered ${res.statusCode}: ${Buffer.concat(chunks)}`));
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

function protoRecord(r: NewLogRecord): LogRecord {
  return create(LogRecordSchema, {
    time: timestampFromMs(r.timeMs),
    level: r.level as Level,
    serviceType: r.serviceType,
    instance: r.instance,
    message: r.message,
    requestId: r.requestId,
    fieldsJson: r.fieldsJson ?? "",
  });
}

async function timeFetches(
  fetch: () => unknown,
): Promise<{ median: number; p95: number }> {
  const samples: number[] = [];
  for (let i = 0; i < 60; i++) {
    const started = performance.now();
    await fetch();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[30] ?? 0, p95: samples[57] ?? 0 };
}

async function fetchNewest(logger: Client<typeof LoggerService>): Promise<string[][]> {
  const filter = { serviceType: "todo", instance: "todo-3" };
  const viaQuery = await timeFetches(async () => {
    const page = await logger.query({ filter, limit: 100 });
    if (page.records.length !== 100)
      throw new Error(`got ${page.records.length} records`);
  });
  const store = openLogStore({ path: join(dir, "logger-bench.sqlite") });
  const direct = await timeFetches(() =>
    store.queryPage({ filter, newestFirst: true, limit: 100 }),
  );
  store.close();
  return [
    ["LogStore.queryPage, in-process (baseline)", ms(direct.median), ms(direct.p95)],
    ["Query over a socket (target < 20 ms)", ms(viaQuery.median), ms(viaQuery.p95)],
  ];
}

function rateRow(name: string, rate: Rate, raw: Rate): string[] {
  return [
    name,
    Math.round(rate.perSecond).toLocaleString("en"),
    (rate.perSecond / raw.perSecond).toFixed(2),
    rate.cpuUsPerRecord.toFixed(1),
  ];
}

function memoryRow([stored, stats]: [number, ChildStats]): string[] {
  return [
    stored.toLocaleString("en"),
    mib(stats.heapUsed),
    mib(stats.rss),
    mib(stats.usedBytes),
  ];
}

const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
const ms = (value: number) => value.toFixed(2);

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of rows) console.log(line(row));
  console.log();
}

async function main(): Promise<void> {
  console.log(
    `${total.toLocaleString("en")} records, batches of ${batchSize}, ${clients} clients\n`,
  );
  const raw = rawBaseline();
  const storeOnly = storeBaseline();
  const child = await startChild();
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  try {
    const logger = createClient(
      LoggerService,
      createConnectTransport({
        baseUrl: child.url,
        httpVersion: "1.1",
        useBinaryFormat: true,
      }),
    );
    const samples: [number, ChildStats][] = [[0, await childStats(child)]];
    const viaClient = await pushRange(
      0,
      generatedRecords,
      child,
      samples,
      generatedClientPush(logger),
    );
    const viaBodies = await pushRange(
      generatedRecords,
      total,
      child,
      samples,
      preEncodedPush(child.url, agent),
    );
    printTable(
      ["ingest", "records/s", "vs raw", "storing CPU µs/record"],
      [
        rateRow(
          `raw better-sqlite3, bare table, ${baselineRecords} (baseline)`,
          raw,
          raw,
        ),
        rateRow(`LogStore.insert in-process, ${baselineRecords}`, storeOnly, raw),
        rateRow(`Push, generated client encoding, ${generatedRecords}`, viaClient, raw),
        rateRow(
          `Push, pre-encoded bodies, ${total - generatedRecords} (target >= 50,000)`,
          viaBodies,
          raw,
        ),
      ],
    );
    printTable(
      [
        `newest 100 of one instance among ${total.toLocaleString("en")}`,
        "median ms",
        "p95 ms",
      ],
      await fetchNewest(logger),
    );
    samples.sort((a, b) => a[0] - b[0]);
    printTable(
      ["stored records", "logger heap", "logger RSS", "data on disk"],
      samples.map(memoryRow),
    );
  } finally {
    agent.destroy();
    child.proc.stdin?.write("exit\n");
    await new Promise((resolve) => child.proc.once("exit", resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
