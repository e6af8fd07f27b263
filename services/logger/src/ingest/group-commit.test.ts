import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NewLogRecord } from "../store/log-record.js";
import { type LogStore, openLogStore } from "../store/log-store.js";
import { temporaryDirectory } from "../testing/log-records.js";
import { GroupCommit } from "./group-commit.js";

let store: LogStore;
let remove: () => void;
let commits: number[];

beforeEach(() => {
  const tmp = temporaryDirectory("logger-group-commit");
  remove = tmp.remove;
  store = openLogStore({ path: join(tmp.dir, "group.sqlite"), sync: "normal" });
  commits = [];
  store.onCommit((lastSeq) => commits.push(lastSeq));
});

afterEach(() => {
  store.close();
  remove();
});

function records(count: number, instance: string): NewLogRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    timeMs: Date.UTC(2025, 5, 10) + i,
    level: 3,
    serviceType: "todo",
    instance,
    message: `record ${i}`,
    requestId: "",
    fieldsJson: undefined,
  }));
}

function storedCount(): number {
  return store
    .listSources()
    .reduce((sum, s) => sum + s.counts.reduce((a, b) => a + b), 0);
}

describe("GroupCommit", () => {
  it("stores writes issued in the same turn in one transaction, in order", async () => {
    const writer = new GroupCommit(store);
    await Promise.all([
      writer.write(records(3, "todo-1")),
      writer.write(records(2, "todo-2")),
    ]);
    expect(commits).toEqual([5]);
    const arrivals = store.readArrivals({}, 0, store.lastSeq, 10).records;
    expect(arrivals.map((r) => [r.seq, r.instance])).toEqual([
      [1, "todo-1"],
      [2, "todo-1"],
      [3, "todo-1"],
      [4, "todo-2"],
      [5, "todo-2"],
    ]);
  });

  it("resolves a write only once its records are committed", async () => {
    const writer = new GroupCommit(store);
    const written = writer.write(records(4, "todo-1"));
    expect(storedCount()).toBe(0);
    await written;
    expect(storedCount()).toBe(4);
  });

  it("splits a group at maxRecords but never splits one write", async () => {
    const writer = new GroupCommit(store, { maxRecords: 5 });
    await Promise.all([
      writer.write(records(3, "a")),
      writer.write(records(2, "b")),
      writer.write(records(7, "c")),
      writer.write(records(1, "d")),
    ]);
    expect(commits).toEqual([5, 12, 13]);
  });

  it("rejects every write of a group whose transaction failed", async () => {
    const writer = new GroupCommit(store);
    const writes = [writer.write(records(1, "a")), writer.write(records(1, "b"))];
    store.close();
    for (const write of writes) await expect(write).rejects.toThrow();
  });

  it("resolves an empty write at once without a transaction", async () => {
    await new GroupCommit(store).write([]);
    expect(commits).toEqual([]);
  });
});
