import { describe, expect, it } from "vitest";
import type { Balancer, Endpoint } from "./balancer.js";
import { createBalancer } from "./create-balancer.js";
import { endpoint, endpoints, LATER_MS, seededRandom } from "./test-fixtures.js";

const KEYS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

function ringHash(options = {}): Balancer {
  return createBalancer("ring-hash", { random: seededRandom(8), ...options });
}

function owners(balancer: Balancer, set: readonly Endpoint[], nowMs = LATER_MS) {
  return KEYS.map((key) => balancer.pick(set, { key, nowMs })?.id);
}

function movedKeys(
  before: (string | undefined)[],
  after: (string | undefined)[],
): number[] {
  return before.flatMap((owner, i) => (owner === after[i] ? [] : [i]));
}

describe("ring-hash", () => {
  it("sends the same key to the same endpoint every time", () => {
    const set = endpoints(10);
    const balancer = ringHash();
    const first = owners(balancer, set);
    expect(owners(balancer, set)).toEqual(first);
    expect(owners(ringHash(), set.map((item) => ({ ...item })).reverse())).toEqual(first);
  });

  it("moves only the removed endpoint's keys, about 1/10 of them, when one of 10 leaves", () => {
    const set = endpoints(10);
    const balancer = ringHash();
    const before = owners(balancer, set);
    const after = owners(
      balancer,
      set.filter((item) => item.id !== "e3"),
    );
    const moved = movedKeys(before, after);
    expect(moved.every((i) => before[i] === "e3")).toBe(true);
    expect(moved.length / KEYS.length).toBeGreaterThan(0.05);
    expect(moved.length / KEYS.length).toBeLessThan(0.15);
  });

  it("moves only keys onto a newcomer, about 1/11 of them, when an 11th joins", () => {
    const set = endpoints(10);
    const balancer = ringHash();
    const before = owners(balancer, set);
    const after = owners(balancer, [...set, endpoint("e10")]);
    const moved = movedKeys(before, after);
    expect(moved.every((i) => after[i] === "e10")).toBe(true);
    expect(moved.length / KEYS.length).toBeGreaterThan(0.05);
    expect(moved.length / KEYS.length).toBeLessThan(0.14);
  });

  it("keeps a hot key on its endpoint while that endpoint is under its load bound", () => {
    const set = endpoints(10);
    const balancer = ringHash();
    const home = balancer.pick(set, { key: "hot", nowMs: LATER_MS }) as Endpoint;
    for (const item of set) item.activeRequests = 10;
    home.activeRequests = 11;
    // Bound: ceil(1.25 x (101 + 1) / 10) = 13 in flight, so 11 + 1 still fits.
    expect(balancer.pick(set, { key: "hot", nowMs: LATER_MS })).toBe(home);
  });

  it("moves a hot key off an overloaded endpoint to the next one, consistently", () => {
    const set = endpoints(10);
    const balancer = ringHash();
    const home = balancer.pick(set, { key: "hot", nowMs: LATER_MS }) as Endpoint;
    home.activeRequests = 50;
    const next = balancer.pick(set, { key: "hot", nowMs: LATER_MS + 100 });
    expect(next).not.toBe(home);
    expect(balancer.pick(set, { key: "hot", nowMs: LATER_MS + 200 })).toBe(next);
  });

  it.each([
    [10, 400],
    [1_000, 5_000],
  ])(
    "holds %i endpoints to 1.25 x the mean when %i requests of one key pile up",
    (size, picks) => {
      const set = endpoints(size);
      const balancer = ringHash();
      for (let pick = 0; pick < picks; pick++) {
        const picked = balancer.pick(set, { key: "hot", nowMs: LATER_MS }) as Endpoint;
        picked.activeRequests++;
      }
      const loads = set.map((item) => item.activeRequests);
      expect(Math.max(...loads)).toBeLessThanOrEqual(Math.ceil((1.25 * picks) / size));
      expect(loads.filter((load) => load > 0).length).toBeGreaterThanOrEqual(size * 0.8);
    },
  );

  it("lets a hot key pile up without a bound when the load factor is Infinity", () => {
    const set = endpoints(10);
    const balancer = ringHash({ ringHashLoadFactor: Infinity });
    const home = balancer.pick(set, { key: "hot", nowMs: LATER_MS }) as Endpoint;
    home.activeRequests = 1_000;
    expect(balancer.pick(set, { key: "hot", nowMs: LATER_MS + 100 })).toBe(home);
  });

  it("hands a warming endpoint a growing set of keys that it keeps", () => {
    const set = [...endpoints(4), endpoint("new", 100, { addedAtMs: LATER_MS })];
    const balancer = ringHash();
    const keysOfNewAt = (offsetMs: number) =>
      new Set(
        KEYS.filter(
          (key) => balancer.pick(set, { key, nowMs: LATER_MS + offsetMs })?.id === "new",
        ),
      );
    const early = keysOfNewAt(3_000);
    const middle = keysOfNewAt(15_000);
    const full = keysOfNewAt(40_000);
    expect(early.size).toBeLessThan(middle.size);
    expect(middle.size).toBeLessThan(full.size);
    expect([...early].every((key) => middle.has(key))).toBe(true);
    expect([...middle].every((key) => full.has(key))).toBe(true);
  });

  it("spreads picks without a key at random by weight (±3 points)", () => {
    const set = endpoints(2, [100, 300]);
    const balancer = ringHash();
    let heavy = 0;
    for (let pick = 0; pick < 10_000; pick++) {
      if (balancer.pick(set, { key: "", nowMs: LATER_MS })?.id === "e1") heavy++;
    }
    expect(Math.abs(heavy / 10_000 - 0.75)).toBeLessThan(0.03);
  });
});
