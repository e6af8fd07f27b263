import { describe, expect, it } from "vitest";
import type { Balancer, Endpoint } from "./balancer.js";
import { createBalancer } from "./create-balancer.js";
import { nextLatencyEwmaMs } from "./latency-ewma.js";
import {
  countPicks,
  endpoint,
  endpoints,
  LATER_MS,
  seededRandom,
  shareOf,
} from "./test-fixtures.js";

const PICKS = 10_000;

function pickFrom(name: "least-request" | "peak-ewma"): Balancer {
  return createBalancer(name, { random: seededRandom(21) });
}

// Keeps `inFlight` requests running: each pick starts one on the picked
// endpoint and a random running one finishes. Returns the mean number in
// flight per endpoint over the run.
function meanLoads(balancer: Balancer, set: Endpoint[], inFlight: number): number[] {
  const random = seededRandom(77);
  const running: Endpoint[] = [];
  const sums = set.map(() => 0);
  for (let step = 0; step < PICKS; step++) {
    const picked = balancer.pick(set, { nowMs: LATER_MS }) as Endpoint;
    picked.activeRequests++;
    running.push(picked);
    if (running.length > inFlight) {
      const done = running.splice(
        Math.floor(random() * running.length),
        1,
      )[0] as Endpoint;
      done.activeRequests--;
    }
    set.forEach((item, i) => {
      sums[i] = (sums[i] as number) + item.activeRequests;
    });
  }
  return sums.map((sum) => sum / PICKS);
}

describe("least-request", () => {
  it("sends almost nothing to an endpoint with many requests in flight", () => {
    const set = endpoints(4);
    (set[0] as Endpoint).activeRequests = 10;
    const counts = countPicks(pickFrom("least-request"), PICKS, () => set);
    expect(shareOf(counts, "e0", PICKS)).toBeLessThan(0.02);
  });

  it("settles requests in flight in proportion to weight (1:3 within 15 %)", () => {
    const set = endpoints(2, [100, 300]);
    const [light, heavy] = meanLoads(pickFrom("least-request"), set, 40) as [
      number,
      number,
    ];
    expect(heavy / light).toBeGreaterThan(3 * 0.85);
    expect(heavy / light).toBeLessThan(3 * 1.15);
  });
});

describe("peak-ewma", () => {
  it("prefers the faster endpoint when none is busy (50 % for one fast of four)", () => {
    const set = endpoints(4).map((item, i) => ({
      ...item,
      latencyEwmaMs: i === 0 ? 10 : 50,
    }));
    const counts = countPicks(pickFrom("peak-ewma"), PICKS, () => set);
    // Two different candidates out of four include e0 half the time.
    expect(Math.abs(shareOf(counts, "e0", PICKS) - 0.5)).toBeLessThan(0.03);
  });

  it("sends almost nothing to a busy endpoint when latencies are equal", () => {
    const set = endpoints(4).map((item) => ({ ...item, latencyEwmaMs: 20 }));
    (set[0] as Endpoint).activeRequests = 10;
    const counts = countPicks(pickFrom("peak-ewma"), PICKS, () => set);
    expect(shareOf(counts, "e0", PICKS)).toBeLessThan(0.02);
  });

  it("neither floods nor shuns an endpoint without a latency sample (50 % ±3 points)", () => {
    const set = [
      endpoint("measured", 100, { latencyEwmaMs: 40 }),
      endpoint("unmeasured"),
    ];
    const counts = countPicks(pickFrom("peak-ewma"), PICKS, () => set);
    expect(Math.abs(shareOf(counts, "unmeasured", PICKS) - 0.5)).toBeLessThan(0.03);
  });

  it("keeps more work on a fast endpoint than on a slow one under load", () => {
    const set = endpoints(2).map((item, i) => ({
      ...item,
      latencyEwmaMs: i === 0 ? 10 : 40,
    }));
    const [fast, slow] = meanLoads(pickFrom("peak-ewma"), set, 40) as [number, number];
    expect(fast).toBeGreaterThan(slow * 2);
  });
});

describe("nextLatencyEwmaMs", () => {
  it("takes a slower sample at once", () => {
    expect(nextLatencyEwmaMs(20, 80, 5)).toBe(80);
  });

  it("decays toward a faster sample with the time constant (63 % after decayMs)", () => {
    expect(nextLatencyEwmaMs(100, 0.0001, 10_000, 10_000)).toBeCloseTo(100 / Math.E, 2);
    expect(nextLatencyEwmaMs(100, 20, 0)).toBe(100);
  });

  it("starts from the first sample", () => {
    expect(nextLatencyEwmaMs(0, 35, 0)).toBe(35);
  });
});
