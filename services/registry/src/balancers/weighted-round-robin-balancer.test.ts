import { describe, expect, it } from "vitest";
import type { Endpoint } from "./balancer.js";
import { createBalancer } from "./create-balancer.js";
import { endpoint, endpoints, LATER_MS, seededRandom } from "./test-fixtures.js";

const at = { nowMs: LATER_MS };

function sequence(picks: number, setFor: (pick: number) => readonly Endpoint[]): string {
  const balancer = createBalancer("weighted-round-robin", { random: seededRandom(1) });
  return Array.from({ length: picks }, (_, i) => balancer.pick(setFor(i), at)?.id).join(
    " ",
  );
}

// The largest distance, over every prefix of `picks` picks, between an
// endpoint's pick count and its exact weighted share of the prefix.
function worstDeviation(set: readonly Endpoint[], picks: number): number {
  const balancer = createBalancer("weighted-round-robin", { random: seededRandom(2) });
  const total = set.reduce((sum, item) => sum + item.weight, 0);
  const counts = new Map(set.map((item) => [item, 0]));
  let worst = 0;
  for (let t = 1; t <= picks; t++) {
    const picked = balancer.pick(set, at) as Endpoint;
    counts.set(picked, (counts.get(picked) ?? 0) + 1);
    for (const [item, count] of counts) {
      worst = Math.max(worst, Math.abs(count - (t * item.weight) / total));
    }
  }
  return worst;
}

describe("weighted-round-robin", () => {
  const abc = [endpoint("a", 5), endpoint("b", 1), endpoint("c", 1)];

  it("follows nginx's smooth order for weights 5, 1, 1: a a b a c a a", () => {
    expect(sequence(14, () => abc)).toBe("a a b a c a a a a b a c a a");
  });

  it("keeps that order when the catalog hands over a new array before every pick", () => {
    const rebuilt = () => abc.map((item) => ({ ...item }));
    expect(sequence(14, rebuilt)).toBe("a a b a c a a a a b a c a a");
  });

  it("keeps every endpoint within 2 picks of its share at every point, small set", () => {
    expect(worstDeviation(endpoints(7, [1, 2, 3, 5, 8, 13, 21]), 2_000)).toBeLessThan(2);
  });

  it("keeps every endpoint within 2 picks of its share at every point, 300 endpoints", () => {
    const weights = Array.from({ length: 300 }, (_, i) => 1 + (i % 10) * 11);
    expect(worstDeviation(endpoints(300, weights), 5_000)).toBeLessThan(2);
  });

  it("lets a newcomer in at its share, without a burst, in a small set", () => {
    const old = endpoints(3);
    const joined = [...old, endpoint("new")];
    const order = sequence(140, (pick) => (pick < 100 ? old : joined)).split(" ");
    const newcomerPicks = order.slice(100).filter((id) => id === "new").length;
    expect(newcomerPicks).toBeGreaterThanOrEqual(9);
    expect(newcomerPicks).toBeLessThanOrEqual(11);
  });

  it("lets a newcomer in at its share, without a burst, in a 200-endpoint set", () => {
    const old = endpoints(200);
    const joined = [...old, endpoint("new")];
    const order = sequence(2_000 + 402, (pick) => (pick < 2_000 ? old : joined)).split(
      " ",
    );
    const newcomerPicks = order.slice(2_000).filter((id) => id === "new").length;
    expect(newcomerPicks).toBeGreaterThanOrEqual(1);
    expect(newcomerPicks).toBeLessThanOrEqual(3);
  });

  it("keeps shares by weight class within ±0.5 points in a 200-endpoint set reshuffled every 3 picks", () => {
    const random = seededRandom(3);
    const base = endpoints(200, [100, 200, 300, 400]);
    const reshuffled = () => base.map((item) => ({ ...item })).sort(() => random() - 0.5);
    const balancer = createBalancer("weighted-round-robin", { random: seededRandom(4) });
    const picksByWeight = new Map<number, number>();
    let set = base;
    for (let pick = 0; pick < 6_000; pick++) {
      if (pick % 3 === 0) set = reshuffled();
      const weight = (balancer.pick(set, at) as Endpoint).weight;
      picksByWeight.set(weight, (picksByWeight.get(weight) ?? 0) + 1);
    }
    for (const [weight, picks] of picksByWeight) {
      expect(Math.abs(picks / 6_000 - weight / 1_000)).toBeLessThan(0.005);
    }
  });
});
