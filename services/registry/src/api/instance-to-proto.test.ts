import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { InstanceSchema } from "@microtodo/api/registry";
import { afterEach, describe, expect, it } from "vitest";
import type { Catalog } from "../catalog/catalog.js";
import {
  countLatency,
  createLatencyCounts,
  latencyBucketUpperMs,
} from "../proxy/proxy-metrics.js";
import { spec, testCatalog } from "../test-support/catalog-fixtures.js";
import { instanceToProto } from "./instance-to-proto.js";

let catalog: Catalog;
afterEach(() => catalog.close());

function addInstance() {
  catalog = testCatalog({ initialHealth: "healthy" });
  const { instance } = catalog.upsert(spec("todo", 4001), 1_700_000_000_000);
  instance.requests = 7;
  instance.errors = 2;
  instance.latencyEwmaMs = 12.5;
  instance.picks = 9;
  return instance;
}

describe("instanceToProto stats", () => {
  it("carries the proxy's counters", () => {
    const { stats } = instanceToProto(addInstance());
    expect(stats).toMatchObject({
      requests: 7n,
      errors: 2n,
      latencyEwmaMs: 12.5,
      ejections: 0,
      picks: 9n,
    });
  });

  it("reports per-instance latency counts against the shared bucket bounds", () => {
    const counts = createLatencyCounts();
    countLatency(counts, 0.3);
    countLatency(counts, 40);
    countLatency(counts, 40);
    countLatency(counts, 60_000);
    const instance = Object.assign(addInstance(), { latencyBucketCounts: counts });
    const stats = instanceToProto(instance).stats;
    expect(stats?.latencyBucketUpperMs).toEqual(latencyBucketUpperMs);
    const expected = latencyBucketUpperMs.map(() => 0n);
    expected[0] = 1n;
    expected[latencyBucketUpperMs.indexOf(50)] = 2n;
    expected[latencyBucketUpperMs.length - 1] = 1n;
    expect(stats?.latencyBucketCounts).toEqual(expected);
  });

  it("reports zeros, never nothing, for an instance without counts", () => {
    const stats = instanceToProto(addInstance()).stats;
    expect(stats?.latencyBucketCounts).toHaveLength(latencyBucketUpperMs.length);
    expect(stats?.latencyBucketCounts.every((n) => n === 0n)).toBe(true);
  });

  it("survives the wire with the +Inf bound intact", () => {
    const proto = instanceToProto(addInstance());
    const decoded = fromBinary(InstanceSchema, toBinary(InstanceSchema, proto));
    expect(decoded.stats?.latencyBucketUpperMs.at(-1)).toBe(Number.POSITIVE_INFINITY);
  });
});
