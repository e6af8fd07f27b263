import { join } from "node:path";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  Code,
  ConnectError,
  createClient,
  createRouterTransport,
} from "@connectrpc/connect";
import { Level, LoggerService, Order } from "@microtodo/api/logger";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LogStore, openLogStore } from "../store/log-store.js";
import { logRecord, temporaryDirectory } from "../testing/log-records.js";
import { createLoggerService } from "./logger-service.js";

const t0 = Date.UTC(2025, 5, 1, 12, 0, 0);
let store: LogStore;
let remove: () => void;

function client(now = () => t0 + 60_000) {
  const transport = createRouterTransport(({ service }) => {
    service(LoggerService, createLoggerService({ store, now }));
  });
  return createClient(LoggerService, transport);
}

beforeEach(() => {
  const tmp = temporaryDirectory("logger-service");
  remove = tmp.remove;
  store = openLogStore({ path: join(tmp.dir, "logger-test.sqlite") });
});

afterEach(() => {
  store.close();
  remove();
});

async function expectCode(promise: Promise<unknown>, code: Code, text: string) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectError);
  expect((err as ConnectError).code).toBe(code);
  expect((err as ConnectError).rawMessage).toContain(text);
}

describe("Push", () => {
  it("stores the good records of a batch and refuses the bad one with its index and reason", async () => {
    const logger = client();
    const res = await logger.push({
      records: [
        logRecord({ timeMs: t0, message: "first" }),
        logRecord({ timeMs: t0, serviceType: "" }),
        logRecord({ timeMs: t0 + 1, message: "third" }),
      ],
    });
    expect(res.stored).toBe(2);
    expect(res.rejected.map((r) => [r.index, r.reason])).toEqual([
      [1, "service_type: missing"],
    ]);
    const page = await logger.query({ order: Order.OLDEST_FIRST });
    expect(page.records.map((r) => r.message)).toEqual(["first", "third"]);
  });

  it("refuses each kind of bad record with a reason naming the field and limit", async () => {
    const res = await client().push({
      records: [
        logRecord({ timeMs: t0, instance: "" }),
        logRecord({ timeMs: t0, level: Level.UNSPECIFIED }),
        logRecord({ timeMs: t0, level: 42 as Level }),
        logRecord({ timeMs: t0, message: "x".repeat(8 * 1024 + 1) }),
        logRecord({ timeMs: t0, fields: { blob: "y".repeat(16 * 1024) } }),
        logRecord({ timeMs: t0 + 60_000 + 5 * 60_000 + 1 }),
        logRecord({ timeMs: 1_700_000_000 }),
        logRecord({ timeMs: t0, serviceType: "to\ndo" }),
        logRecord({ timeMs: t0, message: "é".repeat(4 * 1024) }),
      ],
    });
    const reasons = res.rejected.map((r) => `${r.index} ${r.reason}`);
    expect(reasons).toEqual([
      "0 instance: missing",
      "1 level: unspecified",
      "2 level: 42 is not a known level",
      "3 message: 8193 bytes; at most 8192",
      "4 fields: 16395 bytes as JSON; at most 16384",
      "5 time: 300001 ms ahead of the logger's clock; at most 300000",
      "6 time: before 2000-01-01 (seconds sent as milliseconds?)",
      "7 service_type: contains control characters",
    ]);
    // 4 KiB of two-byte characters is exactly at the limit, so it is kept.
    expect(res.stored).toBe(1);
  });

  it("stores fields sent as JSON text and answers with them as fields", async () => {
    const logger = client();
    const res = await logger.push({
      records: [
        logRecord({ timeMs: t0, message: "json", fieldsJson: '{"userId":"u1","n":2}' }),
        logRecord({ timeMs: t0, fieldsJson: "{not json" }),
        logRecord({ timeMs: t0, fieldsJson: "[1,2]" }),
        logRecord({ timeMs: t0, fieldsJson: '{"a":1}', fields: { b: 2 } }),
        logRecord({
          timeMs: t0,
          fieldsJson: JSON.stringify({ big: "z".repeat(16 * 1024) }),
        }),
      ],
    });
    expect(res.rejected.map((r) => `${r.index} ${r.reason}`)).toEqual([
      "1 fields_json: not valid JSON",
      "2 fields_json: not a JSON object",
      "3 fields_json: set together with fields; set one",
      "4 fields_json: 16394 bytes as JSON; at most 16384",
    ]);
    const page = await logger.query({});
    expect(page.records[0]?.fields).toEqual({ userId: "u1", n: 2 });
    expect(page.records[0]?.fieldsJson).toBe("");
  });

  it("refuses a record without a time", async () => {
    const record = logRecord();
    record.time = undefined;
    const res = await client().push({ records: [record] });
    expect(res.rejected[0]?.reason).toBe("time: missing");
  });

  it("refuses a batch of more than 5,000 records as a whole", async () => {
    const records = Array.from({ length: 5_001 }, () => logRecord({ timeMs: t0 }));
    await expectCode(client().push({ records }), Code.InvalidArgument, "at most 5000");
    expect(store.lastSeq).toBe(0);
  });
});

describe("Query", () => {
  beforeEach(async () => {
    await client().push({
      records: [
        logRecord({
          timeMs: t0 + 1,
          serviceType: "todo",
          instance: "todo-1",
          level: Level.INFO,
          message: "Created task 100%",
        }),
        logRecord({
          timeMs: t0 + 2,
          serviceType: "todo",
          instance: "todo-2",
          level: Level.WARN,
          message: "slow query",
        }),
        logRecord({
          timeMs: t0 + 3,
          serviceType: "auth",
          instance: "auth-1",
          level: Level.ERROR,
          message: "login FAILED for user_a",
        }),
        logRecord({
          timeMs: t0 + 4,
          serviceType: "auth",
          instance: "auth-1",
          level: Level.DEBUG,
          message: "Über-Token erneuert",
          requestId: "req-7",
          fields: { userId: "u1", attempt: 2 },
        }),
        logRecord({
          timeMs: t0 + 5,
          serviceType: "registry",
          instance: "reg-1",
          level: Level.FATAL,
          message: "cannot bind port",
        }),
      ],
    });
  });

  async function messages(
    filter: Parameters<ReturnType<typeof client>["query"]>[0]["filter"],
  ) {
    const page = await client().query({ filter, order: Order.OLDEST_FIRST });
    return page.records.map((r) => r.message);
  }

  it("filters by service type", async () => {
    expect(await messages({ serviceType: "auth" })).toEqual([
      "login FAILED for user_a",
      "Über-Token erneuert",
    ]);
  });

  it("filters by instance, alone or with the type", async () => {
    expect(await messages({ instance: "todo-2" })).toEqual(["slow query"]);
    expect(await messages({ serviceType: "todo", instance: "todo-1" })).toEqual([
      "Created task 100%",
    ]);
    expect(await messages({ serviceType: "auth", instance: "todo-1" })).toEqual([]);
  });

  it("filters by minimum level", async () => {
    expect(await messages({ minLevel: Level.WARN })).toEqual([
      "slow query",
      "login FAILED for user_a",
      "cannot bind port",
    ]);
    expect(await messages({ serviceType: "auth", minLevel: Level.ERROR })).toEqual([
      "login FAILED for user_a",
    ]);
  });

  it("filters by text, case-insensitively and literally", async () => {
    expect(await messages({ text: "failed" })).toEqual(["login FAILED for user_a"]);
    expect(await messages({ text: "100%" })).toEqual(["Created task 100%"]);
    expect(await messages({ text: "r_a" })).toEqual(["login FAILED for user_a"]);
    expect(await messages({ text: "%" })).toEqual(["Created task 100%"]);
    expect(await messages({ text: "über" })).toEqual(["Über-Token erneuert"]);
  });

  it("filters by time range, since inclusive and until exclusive", async () => {
    expect(
      await messages({ since: timestampFromMs(t0 + 2), until: timestampFromMs(t0 + 4) }),
    ).toEqual(["slow query", "login FAILED for user_a"]);
  });

  it("returns newest first by default with request id and fields", async () => {
    const page = await client().query({ limit: 2 });
    expect(page.records.map((r) => r.message)).toEqual([
      "cannot bind port",
      "Über-Token erneuert",
    ]);
    const [, second] = page.records;
    expect(second?.requestId).toBe("req-7");
    expect(second?.fields).toEqual({ userId: "u1", attempt: 2 });
    expect(second?.level).toBe(Level.DEBUG);
  });

  it("pages with next_cursor until the last page, in both orders", async () => {
    for (const order of [Order.NEWEST_FIRST, Order.OLDEST_FIRST]) {
      const seen: string[] = [];
      let cursor = "";
      do {
        const page = await client().query({ order, limit: 2, cursor });
        seen.push(...page.records.map((r) => r.message));
        cursor = page.nextCursor;
      } while (cursor !== "");
      expect(seen).toHaveLength(5);
      expect(new Set(seen).size).toBe(5);
      if (order === Order.NEWEST_FIRST) expect(seen[0]).toBe("cannot bind port");
      else expect(seen[0]).toBe("Created task 100%");
    }
  });

  it("sorts out-of-order records by their own time, ties by arrival", async () => {
    const logger = client();
    await logger.push({
      records: [
        logRecord({ timeMs: t0 - 10, serviceType: "skewed", message: "late but old" }),
        logRecord({ timeMs: t0 - 20, serviceType: "skewed", message: "older still" }),
        logRecord({
          timeMs: t0 - 10,
          serviceType: "skewed",
          message: "same time, arrived later",
        }),
      ],
    });
    const page = await logger.query({
      filter: { serviceType: "skewed" },
      order: Order.OLDEST_FIRST,
    });
    expect(page.records.map((r) => r.message)).toEqual([
      "older still",
      "late but old",
      "same time, arrived later",
    ]);
  });

  it("pages through records sharing one time without loss across many instances", async () => {
    const logger = client();
    const records = Array.from({ length: 30 }, (_, i) =>
      logRecord({
        timeMs: t0 + 100,
        serviceType: "burst",
        instance: `burst-${i % 3}`,
        message: `m${i}`,
      }),
    );
    await logger.push({ records });
    const seen: string[] = [];
    let cursor = "";
    do {
      const page = await logger.query({
        filter: { serviceType: "burst" },
        limit: 7,
        cursor,
      });
      seen.push(...page.records.map((r) => r.message));
      cursor = page.nextCursor;
    } while (cursor !== "");
    expect(seen).toEqual(records.map((r) => r.message).reverse());
  });

  it("refuses a limit above 1,000, a foreign cursor and a reversed range", async () => {
    const logger = client();
    await expectCode(logger.query({ limit: 1_001 }), Code.InvalidArgument, "limit: 1001");
    await expectCode(
      logger.query({ cursor: "nonsense" }),
      Code.InvalidArgument,
      "cursor:",
    );
    const foreign = Buffer.from("abcdef.1.1").toString("base64url");
    await expectCode(
      logger.query({ cursor: foreign }),
      Code.FailedPrecondition,
      "another logger",
    );
    await expectCode(
      logger.query({
        filter: { since: timestampFromMs(t0 + 5), until: timestampFromMs(t0) },
      }),
      Code.InvalidArgument,
      "filter.since",
    );
  });
});

describe("Query scan budget", () => {
  it("pages past a long run of non-matching records with short pages instead of one long scan", async () => {
    const tmp = temporaryDirectory("logger-budget");
    const budgeted = openLogStore({
      path: join(tmp.dir, "budget.sqlite"),
      maxScanRows: 20_000,
    });
    try {
      const logger = createClient(
        LoggerService,
        createRouterTransport(({ service }) => {
          service(
            LoggerService,
            createLoggerService({ store: budgeted, now: () => t0 + 60_000 }),
          );
        }),
      );
      budgeted.insert([{ ...storedInit(t0), message: "the needle" }]);
      for (let i = 0; i < 50_000; i += 5_000) {
        budgeted.insert(
          Array.from({ length: 5_000 }, (_, k) => storedInit(t0 + 1 + i + k)),
        );
      }
      const first = await logger.query({ filter: { text: "NEEDLE" } });
      expect(first.records).toEqual([]);
      expect(first.nextCursor).not.toBe("");
      let cursor = first.nextCursor;
      const found: string[] = [];
      for (let pages = 1; cursor !== ""; pages++) {
        expect(pages).toBeLessThan(10);
        const page = await logger.query({ filter: { text: "NEEDLE" }, cursor });
        found.push(...page.records.map((r) => r.message));
        cursor = page.nextCursor;
      }
      expect(found).toEqual(["the needle"]);
    } finally {
      budgeted.close();
      tmp.remove();
    }
  });
});

function storedInit(timeMs: number) {
  return {
    timeMs,
    level: Level.INFO,
    serviceType: "todo",
    instance: "todo-1",
    message: "haystack",
    requestId: "",
    fieldsJson: undefined,
  };
}

describe("ListSources and Stats", () => {
  it("lists each source with first and last time and counts per level", async () => {
    const logger = client();
    await logger.push({
      records: [
        logRecord({ timeMs: t0 + 5, serviceType: "todo", instance: "todo-1" }),
        logRecord({
          timeMs: t0 + 1,
          serviceType: "todo",
          instance: "todo-1",
          level: Level.ERROR,
        }),
        logRecord({ timeMs: t0 + 3, serviceType: "auth", instance: "auth-1" }),
      ],
    });
    const { sources } = await logger.listSources({});
    expect(
      sources.map((s) => ({
        type: s.serviceType,
        instance: s.instance,
        first: Number(s.firstSeen?.seconds) * 1000 + (s.firstSeen?.nanos ?? 0) / 1e6,
        last: Number(s.lastSeen?.seconds) * 1000 + (s.lastSeen?.nanos ?? 0) / 1e6,
        counts: s.counts.map((c) => [c.level, Number(c.count)]),
      })),
    ).toEqual([
      {
        type: "auth",
        instance: "auth-1",
        first: t0 + 3,
        last: t0 + 3,
        counts: [[Level.INFO, 1]],
      },
      {
        type: "todo",
        instance: "todo-1",
        first: t0 + 1,
        last: t0 + 5,
        counts: [
          [Level.INFO, 1],
          [Level.ERROR, 1],
        ],
      },
    ]);
  });

  it("counts records per level per bucket, honouring the filter", async () => {
    const logger = client();
    await logger.push({
      records: [
        logRecord({ timeMs: t0 + 1_000, level: Level.INFO }),
        logRecord({ timeMs: t0 + 2_000, level: Level.INFO }),
        logRecord({ timeMs: t0 + 3_000, level: Level.ERROR }),
        logRecord({ timeMs: t0 + 61_000, level: Level.WARN }),
        logRecord({ timeMs: t0 + 61_000, level: Level.WARN, serviceType: "auth" }),
      ],
    });
    const res = await logger.stats({
      filter: { serviceType: "todo", since: timestampFromMs(t0) },
      bucketMs: 60_000,
    });
    expect(
      res.buckets.map((b) => [
        Number(b.start?.seconds) * 1000,
        b.counts.map((c) => [c.level, Number(c.count)]),
      ]),
    ).toEqual([
      [
        t0,
        [
          [Level.INFO, 2],
          [Level.ERROR, 1],
        ],
      ],
      [t0 + 60_000, [[Level.WARN, 1]]],
    ]);
  });

  it("counts the same from the minute rollup and from the records", async () => {
    const logger = client();
    const records = Array.from({ length: 400 }, (_, i) =>
      logRecord({
        timeMs: t0 - 3_600_000 + i * 9_000,
        level: [Level.INFO, Level.WARN, Level.ERROR][i % 3],
        instance: `todo-${i % 2}`,
        message: i % 5 === 0 ? "Matched row" : "other row",
      }),
    );
    await logger.push({ records });
    const since = timestampFromMs(t0 - 3_600_000);
    const until = timestampFromMs(t0 + 60_000);
    const counts = async (filter: object) => {
      const res = await logger.stats({
        filter: { since, until, ...filter },
        bucketMs: 300_000,
      });
      return res.buckets.map((b) => [
        Number(b.start?.seconds),
        b.counts.map((c) => `${c.level}:${c.count}`).join(","),
      ]);
    };
    // Any text that every message contains forces counting the records.
    expect(await counts({ text: "row" })).toEqual(await counts({}));
    expect(
      await counts({ instance: "todo-1", minLevel: Level.WARN, text: "row" }),
    ).toEqual(await counts({ instance: "todo-1", minLevel: Level.WARN }));
    const all = (await counts({})).flatMap(([, c]) => String(c).split(","));
    const total = all.reduce((sum, c) => sum + Number(c.split(":")[1]), 0);
    expect(total).toBe(400);
  });

  it("refuses a bucket width outside 1 s to 1 day and too many buckets", async () => {
    const logger = client();
    await expectCode(
      logger.stats({ bucketMs: 999 }),
      Code.InvalidArgument,
      "bucket_ms: 999",
    );
    await expectCode(
      logger.stats({ filter: { since: timestampFromMs(0) }, bucketMs: 1_000 }),
      Code.InvalidArgument,
      "at most 10000",
    );
  });
});
