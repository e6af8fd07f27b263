import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import {
  countLatency,
  createLatencyCounts,
  latencyBucketUpperMs,
  ProxyMetrics,
} from "./proxy-metrics.js";

describe("latency buckets", () => {
  it("end with +Inf and grow strictly, in milliseconds", () => {
    expect(latencyBucketUpperMs.at(-1)).toBe(Number.POSITIVE_INFINITY);
    expect(latencyBucketUpperMs[0]).toBe(0.5);
    for (let i = 1; i < latencyBucketUpperMs.length; i++) {
      expect(latencyBucketUpperMs[i]).toBeGreaterThan(latencyBucketUpperMs[i - 1] ?? 0);
    }
    expect(createLatencyCounts()).toHaveLength(latencyBucketUpperMs.length);
  });

  it("count a call in the first bucket whose bound it does not exceed", () => {
    const counts = createLatencyCounts();
    expect(countLatency(counts, 0.2)).toBe(0);
    expect(countLatency(counts, 1)).toBe(1); // a bound is inclusive
    expect(countLatency(counts, 1.01)).toBe(2);
    expect(countLatency(counts, 120_000)).toBe(latencyBucketUpperMs.length - 1);
    expect(Array.from(counts).reduce((a, b) => a + b, 0)).toBe(4);
  });

  it("feed the per-type histogram with the same bounds, cumulatively", async () => {
    const registry = new Registry();
    const metrics = new ProxyMetrics(registry);
    const latency = metrics.typeStats("todo").latency;
    latency.observe(0.0008); // 0.8 ms: the 1 ms bucket
    latency.observe(0.04); // 40 ms: the 50 ms bucket
    const text = await registry.metrics();
    expect(text).toMatch(/_bucket\{type="todo",le="0.0005"\} 0\n/);
    expect(text).toMatch(/_bucket\{type="todo",le="0.001"\} 1\n/);
    expect(text).toMatch(/_bucket\{type="todo",le="0.05"\} 2\n/);
    expect(text).toMatch(/_bucket\{type="todo",le="\+Inf"\} 2\n/);
  });
});
