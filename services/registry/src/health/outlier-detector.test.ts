import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { Catalog } from "../catalog/catalog.js";
import { spec, testCatalog } from "../test-support/catalog-fixtures.js";
import { OutlierDetector } from "./outlier-detector.js";

const now = 1_700_000_000_000;
let catalog: Catalog;

function setup(count: number) {
  catalog = testCatalog({ initialHealth: "healthy" });
  const instances = Array.from({ length: count }, (_, i) => {
    return catalog.upsert(spec("todo", 4001 + i), now).instance;
  });
  return { instances, detector: new OutlierDetector(catalog) };
}

afterEach(() => catalog.close());

describe("OutlierDetector", () => {
  it("ejects after five consecutive failures and not before", () => {
    const { instances, detector } = setup(3);
    const [a] = instances;
    if (!a) throw new Error("missing");
    for (let i = 0; i < 4; i++) detector.observe(a, true, now);
    detector.observe(a, false, now);
    for (let i = 0; i < 4; i++) detector.observe(a, true, now);
    expect(a.ejected).toBe(false);
    detector.observe(a, true, now);
    expect(a.ejected).toBe(true);
    expect(a.ejectedUntilMs).toBe(now + 10_000);
  });

  it("ejects at most half of a type at once", () => {
    const { instances, detector } = setup(4);
    for (const instance of instances) {
      for (let i = 0; i < 5; i++) detector.observe(instance, true, now);
    }
    expect(instances.filter((i) => i.ejected)).toHaveLength(2);
  });

  it("lets a single instance be ejected", () => {
    const { instances, detector } = setup(1);
    const [only] = instances;
    if (!only) throw new Error("missing");
    for (let i = 0; i < 5; i++) detector.observe(only, true, now);
    expect(only.ejected).toBe(true);
  });

  it("ejects for longer each time, up to the cap", async () => {
    catalog = testCatalog({ initialHealth: "healthy" });
    const instance = catalog.upsert(spec("todo", 4001), now).instance;
    const detector = new OutlierDetector(catalog, {
      baseEjectionMs: 100,
      maxEjectionMs: 250,
    });
    const lengths: number[] = [];
    for (let round = 0; round < 4; round++) {
      const start = Date.now();
      for (let i = 0; i < 5; i++) detector.observe(instance, true, start);
      lengths.push(instance.ejectedUntilMs - start);
      while (instance.ejected) await sleep(5);
    }
    expect(lengths).toEqual([100, 200, 250, 250]);
  });
});
