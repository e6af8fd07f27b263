import { statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { temporaryDirectory } from "../testing/log-records.js";
import type { NewLogRecord } from "./log-record.js";
import { type LogStore, openLogStore } from "./log-store.js";
import { type Retention, startRetention } from "./retention.js";

const dayMs = 86_400_000;
const now = Date.UTC(2025, 5, 10);
let store: LogStore;
let retention: Retention | undefined;
let dir: string;
let remove: () => void;

beforeEach(() => {
  const tmp = temporaryDirectory("logger-retention");
  dir = tmp.dir;
  remove = tmp.remove;
  store = openLogStore({ path: join(dir, "logger-retention.sqlite"), sync: "normal" });
});

afterEach(async () => {
  await retention?.stop();
  retention = undefined;
  store.close();
  remove();
});

function records(
  count: number,
  init: Partial<NewLogRecord> & { timeMs: number },
): NewLogRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    level: 3,
    serviceType: "todo",
    instance: "todo-1",
    message: `record ${i} ${"padding ".repeat(20)}`,
    requestId: "",
    fieldsJson: undefined,
    ...init,
    timeMs: init.timeMs + i,
  }));
}

function insertInBatches(all: readonly NewLogRecord[]): void {
  for (let i = 0; i < all.length; i += 500) store.insert(all.slice(i, i + 500));
}

describe("retention", () => {
  it("deletes records older than the maximum age and keeps the sources in step", async () => {
    store.insert(records(3, { timeMs: now - 8 * dayMs, instance: "gone-1" }));
    store.insert(records(2, { timeMs: now - 8 * dayMs, instance: "todo-1", level: 5 }));
    store.insert(records(4, { timeMs: now - dayMs, instance: "todo-1" }));
    retention = startRetention(store, { now: () => now, intervalMs: 3_600_000 });
    const pass = await retention.runOnce();
    expect(pass.deletedByAge).toBe(5);
    const left = store.queryPage({ filter: {}, newestFirst: false, limit: 100 }).records;
    expect(left.map((r) => r.timeMs)).toEqual([0, 1, 2, 3].map((i) => now - dayMs + i));
    const counted = store.stats({ sinceMs: now - 9 * dayMs, untilMs: now }, 60_000);
    expect(counted.map((b) => [b.startMs, b.counts[2]])).toEqual([[now - dayMs, 4]]);
    expect(store.listSources()).toEqual([
      {
        serviceType: "todo",
        instance: "todo-1",
        firstSeenMs: now - dayMs,
        lastSeenMs: now - dayMs + 3,
        counts: [0, 0, 4, 0, 0, 0],
      },
    ]);
  });

  it("deletes the oldest records in steps until the data fits the size limit, and shrinks the file", async () => {
    insertInBatches(records(30_000, { timeMs: now - dayMs }));
    const fullBytes = statSync(store.path).size;
    const maxBytes = 1024 * 1024;
    expect(store.usedBytes()).toBeGreaterThan(4 * maxBytes);
    retention = startRetention(store, {
      now: () => now,
      maxBytes,
      stepRows: 1_000,
      reclaimSlackBytes: 0,
      intervalMs: 3_600_000,
    });
    const pass = await retention.runOnce();
    expect(pass.deletedBySize).toBeGreaterThan(20_000);
    expect(store.usedBytes()).toBeLessThanOrEqual(maxBytes);
    const newest = store.queryPage({ filter: {}, newestFirst: true, limit: 1 }).records;
    expect(newest[0]?.timeMs).toBe(now - dayMs + 29_999);
    const [source] = store.listSources();
    expect(source?.counts[2]).toBe(30_000 - pass.deletedBySize);
    store.close();
    expect(statSync(store.path).size).toBeLessThan(fullBytes / 2);
  });

  it("starts a size pass on its own when an insert goes past the limit", async () => {
    retention = startRetention(store, {
      now: () => now,
      maxBytes: 512 * 1024,
      intervalMs: 3_600_000,
    });
    insertInBatches(records(10_000, { timeMs: now - dayMs }));
    await expect
      .poll(() => store.usedBytes(), { timeout: 10_000 })
      .toBeLessThanOrEqual(512 * 1024);
  });

  it("lets inserts run between deletion steps", async () => {
    insertInBatches(records(20_000, { timeMs: now - 8 * dayMs }));
    retention = startRetention(store, {
      now: () => now,
      stepRows: 1_000,
      intervalMs: 3_600_000,
    });
    let passDone = false;
    const pass = retention.runOnce().then((result) => {
      passDone = true;
      return result;
    });
    await new Promise((resolve) => setImmediate(resolve));
    store.insert(records(1, { timeMs: now, message: "during the pass" }));
    expect(passDone).toBe(false);
    expect((await pass).deletedByAge).toBe(20_000);
    const left = store.queryPage({ filter: {}, newestFirst: true, limit: 10 }).records;
    expect(left.map((r) => r.message)).toEqual(["during the pass"]);
  });
});
