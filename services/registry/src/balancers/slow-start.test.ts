import { describe, expect, it } from "vitest";
import { BALANCER_NAMES, type Endpoint } from "./balancer.js";
import { DEFAULT_BALANCER_OPTIONS } from "./balancer-options.js";
import { createBalancer } from "./create-balancer.js";
import { slowStartFraction } from "./slow-start.js";
import { countPicks, endpoint, seededRandom, shareOf } from "./test-fixtures.js";

const WINDOW_MS = 30_000;
const JOINED_AT_MS = 100_000;
const PICKS = 10_000;
// Only ring-hash reads this. With 1000 virtual nodes each ring arc is within
// about 3 % of its share, so the shares below measure slow start rather
// than how unevenly 160 nodes (the default, about 8 %) happen to fall.
const FINE_RING = { ringHashVnodesPerEndpoint: 1_000 };

describe("slowStartFraction", () => {
  const options = DEFAULT_BALANCER_OPTIONS;

  it("follows Envoy's curve once the oldest endpoint has served a whole window", () => {
    expect(slowStartFraction(0, 60_000, options)).toBe(0.1);
    expect(slowStartFraction(15_000, 60_000, options)).toBeCloseTo(0.5);
    expect(slowStartFraction(30_000, 60_000, options)).toBe(1);
    const aggressive = { ...options, slowStartAggression: 2 };
    expect(slowStartFraction(7_500, 60_000, aggressive)).toBeCloseTo(0.5);
  });

  it("does not throttle an endpoint that joined together with the oldest", () => {
    expect(slowStartFraction(5_000, 5_000, options)).toBe(1);
  });

  it("grows monotonically for an endpoint that joined 2 s after the oldest", () => {
    let previous = 0;
    for (let ageMs = 0; ageMs <= WINDOW_MS; ageMs += 250) {
      const fraction = slowStartFraction(ageMs, ageMs + 2_000, options);
      expect(fraction).toBeGreaterThanOrEqual(previous);
      previous = fraction;
    }
    expect(previous).toBe(1);
  });

  it("is off with a zero window", () => {
    expect(slowStartFraction(0, 60_000, { ...options, slowStartWindowMs: 0 })).toBe(1);
  });
});

// Two endpoints serving for long and one that joined at JOINED_AT_MS, all
// of weight 100: at full weight the newcomer is owed a third of picks.
function newcomerShare(name: (typeof BALANCER_NAMES)[number], nowMs: number): number {
  const set: Endpoint[] = [
    endpoint("old-a"),
    endpoint("old-b"),
    endpoint("new", 100, { addedAtMs: JOINED_AT_MS }),
  ];
  const balancer = createBalancer(name, {
    ...FINE_RING,
    random: seededRandom(11),
    slowStartWindowMs: WINDOW_MS,
  });
  const context = (pick: number) => ({ nowMs, key: `user-${pick}` });
  return shareOf(
    countPicks(balancer, PICKS, () => set, context),
    "new",
    PICKS,
  );
}

describe.each(BALANCER_NAMES)("%s slow start", (name) => {
  it("gives a newcomer under 10 % 1 s into its window, 33 % ±3 points after it", () => {
    // At 1 s the newcomer weighs its 10 % floor: owed 0.1 / 2.1 = 4.8 %.
    expect(newcomerShare(name, JOINED_AT_MS + 1_000)).toBeLessThan(0.1);
    expect(Math.abs(newcomerShare(name, JOINED_AT_MS + WINDOW_MS) - 1 / 3)).toBeLessThan(
      0.03,
    );
  });

  it("ramps the newcomer's share up through the window", () => {
    const early = newcomerShare(name, JOINED_AT_MS + 3_000);
    const middle = newcomerShare(name, JOINED_AT_MS + 15_000);
    const late = newcomerShare(name, JOINED_AT_MS + 27_000);
    expect(early).toBeLessThan(middle);
    expect(middle).toBeLessThan(late);
  });

  it("does not throttle a fresh set that joined within 20 ms (33 % ±3 points each)", () => {
    const set = [0, 10, 20].map((offsetMs) =>
      endpoint(`e${offsetMs}`, 100, { addedAtMs: JOINED_AT_MS + offsetMs }),
    );
    const balancer = createBalancer(name, { ...FINE_RING, random: seededRandom(3) });
    const context = (pick: number) => ({
      nowMs: JOINED_AT_MS + 2_000,
      key: `user-${pick}`,
    });
    const counts = countPicks(balancer, PICKS, () => set, context);
    for (const item of set) {
      expect(Math.abs(shareOf(counts, item.id, PICKS) - 1 / 3)).toBeLessThan(0.03);
    }
  });

  // Nine endpoints at their 10 % floor and one old one: the old one is owed
  // 1 / 1.9 = 52.6 % of picks. (Keyless, so ring-hash draws by weight; with
  // a key, a warming endpoint takes its fraction of its own keys instead.)
  it("keeps shares exact when most of the set is warming (52.6 % ±3 points)", () => {
    const set: Endpoint[] = [
      endpoint("old"),
      ...Array.from({ length: 9 }, (_, i) =>
        endpoint(`new-${i}`, 100, { addedAtMs: JOINED_AT_MS }),
      ),
    ];
    const balancer = createBalancer(name, { random: seededRandom(9) });
    const context = () => ({ nowMs: JOINED_AT_MS + 1_000 });
    const counts = countPicks(balancer, PICKS, () => set, context);
    expect(Math.abs(shareOf(counts, "old", PICKS) - 1 / 1.9)).toBeLessThan(0.03);
  });

  it("ramps while the clock moves on a stable set", () => {
    const set: Endpoint[] = [
      endpoint("old"),
      endpoint("new", 100, { addedAtMs: JOINED_AT_MS }),
    ];
    const balancer = createBalancer(name, { ...FINE_RING, random: seededRandom(4) });
    // One pick every 3 ms walks the clock through the whole window.
    const context = (pick: number) => ({
      nowMs: JOINED_AT_MS + pick * 3,
      key: `user-${pick}`,
    });
    const firstHalf = countPicks(balancer, 5_000, () => set, context);
    const secondHalf = countPicks(
      balancer,
      5_000,
      () => set,
      (pick) => context(pick + 5_000),
    );
    expect(shareOf(firstHalf, "new", 5_000)).toBeLessThan(
      shareOf(secondHalf, "new", 5_000),
    );
  });
});
