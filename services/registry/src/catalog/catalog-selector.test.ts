import { afterEach, describe, expect, it } from "vitest";
import type { BalancerName } from "../balancers/index.js";
import { OutlierDetector } from "../health/outlier-detector.js";
import { latencyBucketUpperMs } from "../proxy/proxy-metrics.js";
import { spec, testCatalog } from "../test-support/catalog-fixtures.js";
import type { Catalog } from "./catalog.js";
import { createCatalogSelector } from "./catalog-selector.js";

const now = 1_700_000_000_000;
const ok = { notSent: false, failed: false, status: 200, latencyMs: 20 };
const failed = { notSent: false, failed: true, status: 503, latencyMs: 2 };
let catalog: Catalog;

function setup(ports: number[], balancer: BalancerName = "round-robin") {
  catalog = testCatalog({ initialHealth: "healthy", defaultBalancer: balancer });
  const instances = ports.map((port) => catalog.upsert(spec("todo", port), now).instance);
  const selector = createCatalogSelector(catalog, {
    outliers: new OutlierDetector(catalog),
  });
  return { instances, selector };
}

afterEach(() => catalog.close());

describe("catalog selector", () => {
  it("routes through the catalog and picks with the type's balancer", () => {
    const { selector } = setup([4001, 4002, 4003]);
    expect(selector.route("/microtodo.todo.v1.TodoService/Get")).toEqual({
      serviceType: "todo",
      visibility: "public",
      needsAffinityKey: false,
    });
    const ports = Array.from({ length: 6 }, () => selector.pick("todo", undefined)?.port);
    expect(new Set(ports)).toEqual(new Set([4001, 4002, 4003]));
  });

  it("avoids the excluded instance when another is available", () => {
    const { selector } = setup([4001, 4002], "random");
    for (let i = 0; i < 50; i++) {
      expect(selector.pick("todo", undefined, "todo@127.0.0.1:4001")?.port).toBe(4002);
    }
  });

  it("still returns the excluded instance when it is the only one", () => {
    const { selector } = setup([4001]);
    expect(selector.pick("todo", undefined, "todo@127.0.0.1:4001")?.port).toBe(4001);
  });

  it("returns nothing for an unknown type or one without eligible instances", () => {
    const { instances, selector } = setup([4001]);
    expect(selector.pick("auth", undefined)).toBeUndefined();
    const [only] = instances;
    if (!only) throw new Error("missing");
    catalog.setDraining(only.id, true);
    expect(selector.pick("todo", undefined)).toBeUndefined();
  });

  it("counts picks, active requests, errors and latency", () => {
    const { instances, selector } = setup([4001]);
    const target = selector.pick("todo", undefined);
    if (!target) throw new Error("no pick");
    selector.onStart(target);
    selector.onStart(target);
    const [instance] = instances;
    expect(instance?.activeRequests).toBe(2);
    selector.onFinish(target, ok);
    selector.onFinish({ id: target.id, host: target.host, port: target.port }, failed);
    expect(instance).toMatchObject({
      activeRequests: 0,
      requests: 2,
      errors: 1,
      picks: 1,
    });
    // A fast failure counts as slow for latency-aware balancers.
    expect(instance?.latencyEwmaMs).toBe(1000);
  });

  it("counts each call's own latency in the instance's histogram", () => {
    const { instances, selector } = setup([4001]);
    const [instance] = instances;
    if (!instance) throw new Error("missing");
    selector.onStart(instance);
    selector.onFinish(instance, ok);
    selector.onStart(instance);
    selector.onFinish(instance, failed);
    const counted = Array.from(instance.latencyBucketCounts);
    // 20 ms lands in the 25 ms bucket; the failure's 2 ms in the 2.5 ms one,
    // not at the 1000 ms the balancers are told.
    expect(counted[latencyBucketUpperMs.indexOf(25)]).toBe(1);
    expect(counted[latencyBucketUpperMs.indexOf(2.5)]).toBe(1);
    expect(counted.reduce((a, b) => a + b, 0)).toBe(instance.requests);
  });

  it("ejects an instance whose calls keep failing", () => {
    const { instances, selector } = setup([4001, 4002, 4003]);
    const [bad] = instances;
    if (!bad) throw new Error("missing");
    for (let i = 0; i < 5; i++) {
      selector.onStart(bad);
      selector.onFinish(bad, failed);
    }
    expect(bad.ejected).toBe(true);
    const picked = Array.from(
      { length: 30 },
      () => selector.pick("todo", undefined)?.port,
    );
    expect(picked).not.toContain(4001);
  });
});
