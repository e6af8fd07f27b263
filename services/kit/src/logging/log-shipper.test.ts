import { Agent, createServer as createHttpServer, get, type Server } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Socket } from "node:net";
import { Writable } from "node:stream";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Level, LoggerService, type LogRecord } from "@microtodo/api/logger";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { createLogShipper, type DropEpisode, type LogShipper } from "./log-shipper.js";

// The shipper against LoggerService stand-ins on real sockets: one that
// stores what it is sent (optionally refusing the first pushes), one that
// refuses connections and one that accepts them and never answers.

interface FakeLogger {
  readonly url: string;
  readonly pushes: LogRecord[][];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(
  server: Server | ReturnType<typeof createTcpServer>,
): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startFakeLogger(refuseFirst = 0): Promise<FakeLogger> {
  const pushes: LogRecord[][] = [];
  let calls = 0;
  const server = createHttpServer(
    connectNodeAdapter({
      routes: (router) =>
        router.service(LoggerService, {
          push(req) {
            if (calls++ < refuseFirst) {
              throw new ConnectError("records: too many", Code.InvalidArgument);
            }
            pushes.push(req.records);
            return { stored: req.records.length };
          },
        }),
    }),
  );
  const url = await listen(server);
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  cleanups.push(close);
  return { url, pushes, close };
}

/** A URL where nothing listens any more: connections are refused. */
async function stoppedLoggerUrl(): Promise<string> {
  const fake = await startFakeLogger();
  await fake.close();
  return fake.url;
}

/** A logger that accepts connections and never answers (a frozen process). */
async function hungLoggerUrl(): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  const url = await listen(server);
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return url;
}

function shipperFor(
  url: () => string | undefined,
  options: Partial<Parameters<typeof createLogShipper>[0]> = {},
): LogShipper {
  const shipper = createLogShipper({
    service: "todo",
    instance: "todo-1",
    resolveLoggerUrl: async () => url(),
    onDropEpisode: () => undefined,
    ...options,
  });
  cleanups.push(() => shipper.close(100));
  return shipper;
}

function nullSink(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

function loggerWith(shipper?: LogShipper): pino.Logger {
  const streams = [{ level: "trace" as const, stream: nullSink() }];
  if (shipper) streams.push({ level: "trace", stream: shipper });
  return pino(
    { level: "info", base: { service: "todo", instance: "todo-1" } },
    pino.multistream(streams),
  );
}

function messagesOf(pushes: readonly LogRecord[][]): string[] {
  return pushes.flat().map((r) => r.message);
}

describe("createLogShipper", () => {
  it("ships pino records with level, message, request id and fields", async () => {
    const fake = await startFakeLogger();
    const shipper = shipperFor(() => fake.url);
    const logger = loggerWith(shipper);
    logger.child({ reqId: "req-9" }).info({ taskId: "t1" }, "task created");
    logger.error({ err: new Error("boom") }, "store failed");
    expect(await shipper.flush(5_000)).toBe(true);
    const [created, failed] = fake.pushes.flat();
    expect(created?.serviceType).toBe("todo");
    expect(created?.instance).toBe("todo-1");
    expect(created?.level).toBe(Level.INFO);
    expect(created?.message).toBe("task created");
    expect(created?.requestId).toBe("req-9");
    expect(JSON.parse(created?.fieldsJson ?? "")).toEqual({ taskId: "t1" });
    expect(failed?.level).toBe(Level.ERROR);
    expect(JSON.parse(failed?.fieldsJson ?? "").err).toMatchObject({ message: "boom" });
  });

  it("sends a batch as soon as it is full and holds the rest for the interval", async () => {
    const fake = await startFakeLogger();
    const shipper = shipperFor(() => fake.url, {
      batchRecords: 100,
      flushIntervalMs: 60_000,
    });
    const logger = loggerWith(shipper);
    for (let i = 0; i < 250; i++) logger.info(`line ${i}`);
    await expect.poll(() => fake.pushes.length, { timeout: 10_000 }).toBe(2);
    expect(fake.pushes.map((p) => p.length)).toEqual([100, 100]);
    expect(shipper.bufferedRecords).toBe(50);
  });

  it("sends a partial batch once the flush interval has passed", async () => {
    const fake = await startFakeLogger();
    const shipper = shipperFor(() => fake.url, { flushIntervalMs: 200 });
    const logger = loggerWith(shipper);
    logger.info("one");
    logger.info("two");
    await expect
      .poll(() => messagesOf(fake.pushes), { timeout: 10_000 })
      .toEqual(["one", "two"]);
  });

  it("retries after a failure and resolves the logger's URL again", async () => {
    const fake = await startFakeLogger();
    const dead = await stoppedLoggerUrl();
    let resolutions = 0;
    const failedUrls: (string | undefined)[] = [];
    const shipper = createLogShipper({
      service: "todo",
      instance: "todo-1",
      resolveLoggerUrl: async (failedUrl) => {
        failedUrls.push(failedUrl);
        return resolutions++ === 0 ? dead : fake.url;
      },
      minBackoffMs: 50,
    });
    cleanups.push(() => shipper.close(100));
    const logger = loggerWith(shipper);
    for (let i = 0; i < 10; i++) logger.info(`line ${i}`);
    expect(await shipper.flush(10_000)).toBe(true);
    expect(resolutions).toBeGreaterThanOrEqual(2);
    expect(failedUrls.slice(0, 2)).toEqual([undefined, dead]);
    expect(messagesOf(fake.pushes)).toEqual(
      Array.from({ length: 10 }, (_, i) => `line ${i}`),
    );
  });

  it("drops a batch the logger refuses as a whole instead of retrying it forever", async () => {
    const fake = await startFakeLogger(1);
    const registry = new Registry();
    const shipper = shipperFor(() => fake.url, { metricsRegistry: registry });
    const logger = loggerWith(shipper);
    logger.info("refused");
    expect(await shipper.flush(5_000)).toBe(true);
    logger.info("accepted");
    expect(await shipper.flush(5_000)).toBe(true);
    expect(messagesOf(fake.pushes)).toEqual(["accepted"]);
    const refused = await registry
      .getSingleMetric("log_shipper_refused_records_total")
      ?.get();
    expect(refused?.values[0]?.value).toBe(1);
  });

  it("returns from every write at once while the logger is down, keeps the buffer bounded and counts drops", async () => {
    const dead = await stoppedLoggerUrl();
    const registry = new Registry();
    const episodes: DropEpisode[] = [];
    const shipper = shipperFor(() => dead, {
      capacityRecords: 100,
      metricsRegistry: registry,
      onDropEpisode: (episode) => episodes.push(episode),
    });
    const baseline = timeWrites(loggerWith(), 2_000);
    const shipping = timeWrites(loggerWith(shipper), 2_000);
    // Relative and generous: the machine is shared; the point is that
    // writing is not held up by the dead logger (that would take seconds).
    expect(shipping).toBeLessThan(baseline * 10 + 250);
    expect(shipper.bufferedRecords).toBeLessThanOrEqual(100);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(shipper.bufferedRecords).toBeLessThanOrEqual(100);
    expect(shipper.droppedRecords).toBeGreaterThanOrEqual(2_000 - 100 - 500);
    const dropped = await registry
      .getSingleMetric("log_shipper_dropped_records_total")
      ?.get();
    expect(dropped?.values[0]?.value).toBe(shipper.droppedRecords);
    expect(episodes).toHaveLength(1);
    expect(episodes[0]?.capacityRecords).toBe(100);
  });

  for (const [state, urlOf] of [
    ["refuses connections", stoppedLoggerUrl],
    ["accepts connections and never answers", hungLoggerUrl],
  ] as const) {
    it(`keeps a service answering at full speed while its logger ${state}`, async () => {
      const url = await urlOf();
      const shipper = shipperFor(() => url, { capacityRecords: 100, pushTimeoutMs: 500 });
      const baseline = await timeRequests(loggerWith(), 150);
      const shipping = await timeRequests(loggerWith(shipper), 150);
      expect(shipping).toBeLessThan(baseline * 3 + 500);
      expect(shipper.bufferedRecords).toBeLessThanOrEqual(100);
      expect(shipper.droppedRecords).toBeGreaterThan(0);
    });
  }

  it("close gives up at its deadline when the logger is down and ignores later writes", async () => {
    const dead = await stoppedLoggerUrl();
    const shipper = shipperFor(() => dead);
    const logger = loggerWith(shipper);
    logger.info("never delivered");
    const started = performance.now();
    await shipper.close(300);
    expect(performance.now() - started).toBeLessThan(3_000);
    logger.info("after close");
    expect(shipper.bufferedRecords).toBeLessThanOrEqual(1);
  });
});

function timeWrites(logger: pino.Logger, count: number): number {
  const started = performance.now();
  for (let i = 0; i < count; i++)
    logger.info({ i, path: "/api/todos" }, "request completed");
  return performance.now() - started;
}

/** Serves `count` sequential requests, each logging two lines; returns ms. */
async function timeRequests(logger: pino.Logger, count: number): Promise<number> {
  const server = createHttpServer((req, res) => {
    const log = logger.child({ reqId: req.headers["x-request-id"] });
    log.info({ method: req.method, url: req.url }, "request received");
    log.info({ statusCode: 200 }, "request completed");
    res.end("ok");
  });
  const url = await listen(server);
  const agent = new Agent({ keepAlive: true });
  try {
    const started = performance.now();
    for (let i = 0; i < count; i++) await getText(`${url}/tasks`, agent, `r${i}`);
    return performance.now() - started;
  } finally {
    agent.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function getText(url: string, agent: Agent, requestId: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent, headers: { "x-request-id": requestId } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve(body));
    }).on("error", reject);
  });
}
