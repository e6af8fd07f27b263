import { join } from "node:path";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { LoggerService, type LogRecord } from "@microtodo/api/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LogStore, openLogStore } from "../store/log-store.js";
import { logRecord, temporaryDirectory } from "../testing/log-records.js";
import { type ServedLogger, serveLogger } from "../testing/serve-logger.js";

// Tail over a real socket (Connect protocol, HTTP/1.1), as the admin UI
// and the CLI use it.

let store: LogStore;
let served: ServedLogger;
let logger: Client<typeof LoggerService>;
let remove: () => void;

beforeAll(async () => {
  const tmp = temporaryDirectory("logger-tail");
  remove = tmp.remove;
  store = openLogStore({ path: join(tmp.dir, "logger-tail.sqlite"), sync: "normal" });
  served = await serveLogger({ store });
  logger = createClient(
    LoggerService,
    createConnectTransport({ baseUrl: served.url, httpVersion: "1.1" }),
  );
});

afterAll(async () => {
  await served.close();
  store.close();
  remove();
});

/** Reads a Tail until `count` records arrived, then disconnects. */
async function readTail(
  request: Parameters<typeof logger.tail>[0],
  count: number,
): Promise<LogRecord[]> {
  const abort = new AbortController();
  const out: LogRecord[] = [];
  try {
    for await (const res of logger.tail(request, { signal: abort.signal })) {
      if (res.record) out.push(res.record);
      if (out.length >= count) abort.abort();
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  }
  return out;
}

async function pushMessages(
  serviceType: string,
  messages: readonly string[],
): Promise<void> {
  await logger.push({
    records: messages.map((message) => logRecord({ serviceType, message })),
  });
}

async function seedCursor(serviceType: string): Promise<string> {
  await pushMessages(serviceType, ["seed"]);
  const page = await logger.query({ filter: { serviceType }, limit: 1 });
  const cursor = page.records[0]?.cursor;
  if (!cursor) throw new Error("seed record not found");
  return cursor;
}

describe("Tail", () => {
  it("without a cursor delivers only records stored after it started", async () => {
    await pushMessages("fresh", ["old"]);
    const received = readTail({ filter: { serviceType: "fresh" } }, 3);
    // The stream starts asynchronously, so keep pushing until it delivers.
    let done = false;
    const pusher = (async () => {
      for (let i = 0; !done; i++) {
        await pushMessages("fresh", [`live-${i}`]);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const records = await received;
    done = true;
    await pusher;
    const messages = records.map((r) => r.message);
    expect(messages).not.toContain("old");
    const first = Number(messages[0]?.slice("live-".length));
    expect(messages).toEqual([`live-${first}`, `live-${first + 1}`, `live-${first + 2}`]);
  });

  it("delivers live records matching its filter as they are pushed", async () => {
    const cursor = await seedCursor("live");
    const received = readTail(
      { filter: { serviceType: "live" }, afterCursor: cursor },
      3,
    );
    await pushMessages("other", ["not for this tail"]);
    await pushMessages("live", ["a"]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await pushMessages("live", ["b", "c"]);
    expect((await received).map((r) => r.message)).toEqual(["a", "b", "c"]);
  });

  it("resumes after a reconnect with its last cursor: no gap, no duplicate", async () => {
    const cursor = await seedCursor("resume");
    const total = 1_200;
    const expected = Array.from({ length: total }, (_, i) => `m-${i}`);
    // The producer keeps writing while the client reads, disconnects,
    // stays away and reconnects, so the second stream starts with a
    // backlog and continues live while more records arrive.
    const producer = (async () => {
      for (let i = 0; i < total; i += 40) {
        await pushMessages("resume", expected.slice(i, i + 40));
        await pushMessages("noise", ["interleaved"]);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const first = await readTail(
      { filter: { serviceType: "resume" }, afterCursor: cursor },
      300,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lastCursor = first.at(-1)?.cursor ?? "";
    const second = await readTail(
      { filter: { serviceType: "resume" }, afterCursor: lastCursor },
      total - first.length,
    );
    await producer;
    expect([...first, ...second].map((r) => r.message)).toEqual(expected);
  });

  it("sends the whole backlog after an old cursor, across several store reads", async () => {
    const cursor = await seedCursor("backlog");
    const messages = Array.from({ length: 1_700 }, (_, i) => `b-${i}`);
    await pushMessages("backlog", messages);
    const records = await readTail(
      { filter: { serviceType: "backlog" }, afterCursor: cursor },
      1_700,
    );
    expect(records.map((r) => r.message)).toEqual(messages);
  });
});
