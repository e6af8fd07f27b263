import { describe, expect, it } from "vitest";
import {
  BALANCER_NAMES,
  type BalancerName,
  type Endpoint,
  isBalancerName,
} from "./balancer.js";
import { createBalancer } from "./create-balancer.js";
import {
  countPicks,
  endpoint,
  endpoints,
  LATER_MS,
  seededRandom,
  shareOf,
} from "./test-fixtures.js";

const PICKS = 10_000;
// e0..e3 weigh 10, 20, 30 and 40 % of the total.
const WEIGHTS = [100, 200, 300, 400];

// The share of PICKS each balancer owes e0..e3 of WEIGHTS.
function expectedShares(name: BalancerName): number[] {
  const ignoresWeights = name === "random" || name === "round-robin";
  return ignoresWeights ? [0.25, 0.25, 0.25, 0.25] : [0.1, 0.2, 0.3, 0.4];
}

// Allowed distance from the expected share, in share points (0.02 = ±2 %
// of all picks). Random draws over 10,000 picks wander about ±0.5 points
// (one standard deviation); the two round-robins are exact; ring-hash
// spreads 10,000 distinct keys as unevenly as its virtual nodes fall (with
// the default 160 per endpoint, an arc is typically within 8 % of its
// share, relative: within 3 points here).
const TOLERANCE: Record<BalancerName, number> = {
  random: 0.02,
  "round-robin": 0.0005,
  "weighted-random": 0.02,
  "weighted-round-robin": 0.0005,
  "least-request": 0.02,
  "peak-ewma": 0.02,
  "ring-hash": 0.03,
};

function keyed(pick: number) {
  return { nowMs: LATER_MS, key: `user-${pick}` };
}

function balancer(name: BalancerName) {
  return createBalancer(name, { random: seededRandom(7) });
}

// A copy of `set` in a seeded random order, as new objects with the same
// ids, which is what a catalog rebuild may hand over.
function reshuffled(set: readonly Endpoint[], random: () => number): Endpoint[] {
  const copy = set.map((item) => ({ ...item }));
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as Endpoint, copy[i] as Endpoint];
  }
  return copy;
}

describe.each(BALANCER_NAMES)("%s", (name) => {
  it("returns undefined for an empty set", () => {
    expect(balancer(name).pick([], keyed(1))).toBeUndefined();
  });

  it("always returns the only endpoint", () => {
    const only = [endpoint("only", 5)];
    const counts = countPicks(balancer(name), 100, () => only, keyed);
    expect(counts.get("only")).toBe(100);
  });

  it("never picks a weight-0 endpoint while another has weight", () => {
    const set = [endpoint("zero", 0), endpoint("a", 1), endpoint("zero-too", 0)];
    const counts = countPicks(balancer(name), 1_000, () => set, keyed);
    expect([...counts.keys()]).toEqual(["a"]);
  });

  it("treats all-zero weights as equal weights (±3 points)", () => {
    const set = endpoints(4, [0]);
    const counts = countPicks(balancer(name), PICKS, () => set, keyed);
    for (const item of set)
      expect(Math.abs(shareOf(counts, item.id, PICKS) - 0.25)).toBeLessThan(0.03);
  });

  it(`spreads ${PICKS} picks by weight within ±${TOLERANCE[name] * 100} points`, () => {
    const set = endpoints(4, WEIGHTS);
    const counts = countPicks(balancer(name), PICKS, () => set, keyed);
    expectedShares(name).forEach((expected, i) => {
      const share = shareOf(counts, `e${i}`, PICKS);
      expect(Math.abs(share - expected)).toBeLessThanOrEqual(TOLERANCE[name]);
    });
  });

  it("keeps shares within ±3 points when the set is rebuilt and shuffled every 3 picks", () => {
    const random = seededRandom(99);
    const base = endpoints(4, WEIGHTS);
    let set = base;
    const counts = countPicks(
      balancer(name),
      PICKS,
      (pick) => {
        if (pick % 3 === 0) set = reshuffled(base, random);
        return set;
      },
      keyed,
    );
    expectedShares(name).forEach((expected, i) => {
      expect(Math.abs(shareOf(counts, `e${i}`, PICKS) - expected)).toBeLessThan(0.03);
    });
  });

  it("does not always pick the same endpoint first after a rebuild", () => {
    const instance = balancer(name);
    const random = seededRandom(5);
    const base = endpoints(4, WEIGHTS);
    const firstPicks = new Map<string, number>();
    for (let rebuild = 0; rebuild < 200; rebuild++) {
      const set = reshuffled(base, random);
      const first = instance.pick(set, keyed(rebuild * 3))?.id ?? "none";
      firstPicks.set(first, (firstPicks.get(first) ?? 0) + 1);
      instance.pick(set, keyed(rebuild * 3 + 1));
      instance.pick(set, keyed(rebuild * 3 + 2));
    }
    // No endpoint takes more than 60 % of first picks; e3 alone is owed 40 %.
    for (const count of firstPicks.values()) expect(count).toBeLessThan(120);
  });
});

describe("createBalancer", () => {
  it("builds every balancer under its own name", () => {
    for (const name of BALANCER_NAMES) expect(createBalancer(name).name).toBe(name);
  });

  it("rejects an out-of-range option with its name and limits", () => {
    expect(() => createBalancer("ring-hash", { ringHashLoadFactor: 1 })).toThrow(
      /ringHashLoadFactor must be a number from 1.01 to Infinity/,
    );
    expect(() => createBalancer("random", { slowStartWindowMs: -1 })).toThrow(RangeError);
  });

  it("recognises balancer names from configuration", () => {
    expect(isBalancerName("peak-ewma")).toBe(true);
    expect(isBalancerName("fastest")).toBe(false);
  });
});
