import { join } from "node:path";
import { Writable } from "node:stream";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Level, LoggerService, Order } from "@microtodo/api/logger";
import { createLogShipper } from "@microtodo/kit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LogStore, openLogStore } from "./store/log-store.js";
import { temporaryDirectory } from "./testing/log-records.js";
import { type ServedLogger, serveLogger } from "./testing/serve-logger.js";

// The kit's shipper and this service end to end: pino → shipper → Push
// over a socket → SQLite → Query.

let store: LogStore;
let served: ServedLogger;
let remove: () => void;

beforeAll(async () => {
  const tmp = temporaryDirectory("logger-shipping");
  remove = tmp.remove;
  store = openLogStore({ path: join(tmp.dir, "logger-shipping.sqlite") });
  served = await serveLogger({ store });
});

afterAll(async () => {
  await served.close();
  store.close();
  remove();
});

describe("log shipping", () => {
  it("delivers a service's pino records to a real logger, queryable by type and instance", async () => {
    const shipper = createLogShipper({
      service: "auth",
      instance: "auth-3",
      resolveLoggerUrl: async () => served.url,
      batchRecords: 100,
    });
    const stdout = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const logger = pino(
      { level: "debug", base: { service: "auth", instance: "auth-3" } },
      pino.multistream([
        { level: "trace", stream: stdout },
        { level: "trace", stream: shipper },
      ]),
    );
    for (let i = 0; i < 250; i++)
      logger.child({ reqId: `req-${i}` }).info({ i }, `login ${i}`);
    logger.warn({ attempts: 5 }, "account locked");
    expect(await shipper.flush(10_000)).toBe(true);
    await shipper.close();

    const client = createClient(
      LoggerService,
      createConnectTransport({ baseUrl: served.url, httpVersion: "1.1" }),
    );
    const page = await client.query({
      filter: { serviceType: "auth", instance: "auth-3" },
      order: Order.OLDEST_FIRST,
      limit: 1_000,
    });
    expect(page.records).toHaveLength(251);
    expect(page.records[7]?.message).toBe("login 7");
    expect(page.records[7]?.requestId).toBe("req-7");
    expect(page.records[7]?.fields).toEqual({ i: 7 });
    const warned = await client.query({ filter: { minLevel: Level.WARN } });
    expect(warned.records.map((r) => r.message)).toEqual(["account locked"]);
  });
});
