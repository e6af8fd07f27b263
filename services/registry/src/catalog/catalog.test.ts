import { describe, expect, it } from "vitest";
import { silentLogger, spec, testCatalog } from "../test-support/catalog-fixtures.js";
import type { CatalogChange } from "./catalog-change.js";
import { CatalogError } from "./catalog-error.js";

const now = 1_700_000_000_000;

function healthyCatalog() {
  return testCatalog({ initialHealth: "healthy" });
}

describe("Catalog", () => {
  it("adds an instance once per type and address, updating it on repeat", () => {
    const catalog = healthyCatalog();
    const first = catalog.upsert(spec("todo", 4001), now);
    const again = catalog.upsert(spec("todo", 4001, { weight: 7 }), now);
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.instance).toBe(first.instance);
    expect(again.instance.id).toBe("todo@127.0.0.1:4001");
    expect(again.instance.weight).toBe(7);
    expect(catalog.size).toBe(1);
  });

  it("refuses a second visibility for a type that has instances", () => {
    const catalog = healthyCatalog();
    catalog.upsert(spec("todo", 4001), now);
    const conflict = () =>
      catalog.upsert(spec("todo", 4002, { visibility: "internal" }), now);
    expect(conflict).toThrow(CatalogError);
    expect(conflict).toThrow(/^visibility: type todo is public/);
  });

  it("refuses an HTTP route another type already owns, naming the field", () => {
    const catalog = healthyCatalog();
    catalog.upsert(spec("todo", 4001, { httpRoutes: ["/api/todos"] }), now);
    const claim = () =>
      catalog.upsert(spec("auth", 4002, { httpRoutes: ["/x", "/api/todos"] }), now);
    expect(claim).toThrow(
      /^http_routes\[1\]: "\/api\/todos" is already routed to type todo/,
    );
  });

  it("routes a registered HTTP prefix until its last instance leaves", () => {
    const catalog = healthyCatalog();
    const a = catalog.upsert(spec("todo", 4001, { httpRoutes: ["/api/todos"] }), now);
    const b = catalog.upsert(spec("todo", 4002, { httpRoutes: ["/api/todos"] }), now);
    catalog.remove(a.instance.id, "test");
    expect(catalog.route("/api/todos/1")?.serviceType).toBe("todo");
    catalog.remove(b.instance.id, "test");
    expect(catalog.route("/api/todos/1")).toBeUndefined();
    expect(catalog.route("/microtodo.todo.v1.TodoService/Get")?.serviceType).toBe("todo");
  });

  it("keeps the endpoint array's identity until membership, weight or eligibility changes", () => {
    const catalog = healthyCatalog();
    const a = catalog.upsert(spec("todo", 4001), now).instance;
    catalog.upsert(spec("todo", 4002), now);
    const entry = catalog.type("todo");
    if (!entry) throw new Error("type missing");
    const first = catalog.endpoints(entry);
    a.activeRequests = 5;
    a.latencyEwmaMs = 12;
    expect(catalog.endpoints(entry)).toBe(first);
    catalog.setWeight(a.id, 50);
    const second = catalog.endpoints(entry);
    expect(second).not.toBe(first);
    catalog.setDraining(a.id, true);
    expect(catalog.endpoints(entry).map((i) => i.port)).toEqual([4002]);
  });

  it("leaves unhealthy, draining and ejected instances out of rotation", () => {
    const catalog = healthyCatalog();
    const ports = [4001, 4002, 4003, 4004, 4005];
    const [sick, drained, ejected] = ports.map(
      (p) => catalog.upsert(spec("todo", p), now).instance,
    );
    if (!sick || !drained || !ejected) throw new Error("missing");
    catalog.setActiveHealth(sick, "unhealthy", "test");
    catalog.setDraining(drained.id, true);
    catalog.eject(ejected, 60_000, "test", now);
    const entry = catalog.type("todo");
    if (!entry) throw new Error("type missing");
    expect(catalog.endpoints(entry).map((i) => i.port)).toEqual([4004, 4005]);
    expect(entry.panic).toBe(false);
    catalog.close();
  });

  it("balances over every non-draining instance when too few are eligible", () => {
    const catalog = healthyCatalog();
    const [a, b, c] = [4001, 4002, 4003].map(
      (p) => catalog.upsert(spec("todo", p), now).instance,
    );
    if (!a || !b || !c) throw new Error("missing");
    catalog.setActiveHealth(a, "unhealthy", "test");
    catalog.setActiveHealth(b, "unhealthy", "test");
    const entry = catalog.type("todo");
    if (!entry) throw new Error("type missing");
    expect(catalog.endpoints(entry)).toHaveLength(3);
    expect(entry.panic).toBe(true);
    catalog.setActiveHealth(a, "healthy", "test");
    expect(catalog.endpoints(entry).map((i) => i.port)).toEqual([4001, 4003]);
    expect(entry.panic).toBe(false);
  });

  it("announces additions, health changes and removals once each", () => {
    const catalog = testCatalog({ logger: silentLogger });
    const changes: string[] = [];
    catalog.subscribe((change: CatalogChange) =>
      changes.push(`${change.kind}:${change.instance.health}`),
    );
    const { instance } = catalog.upsert(spec("todo", 4001), now);
    catalog.setActiveHealth(instance, "healthy", "check passed");
    catalog.setActiveHealth(instance, "healthy", "check passed");
    catalog.setLeaseExpired(instance, true, "lease expired");
    catalog.remove(instance.id, "gone");
    expect(changes).toEqual([
      "added:pending",
      "updated:healthy",
      "updated:unhealthy",
      "removed:unhealthy",
    ]);
    expect(instance.healthReason).toBe("lease expired");
  });

  it("uses the configured balancer per type and the default otherwise", () => {
    const catalog = testCatalog({
      balancers: new Map([["auth", "least-request"]]),
      defaultBalancer: "round-robin",
    });
    catalog.upsert(spec("auth", 4001), now);
    catalog.upsert(spec("todo", 4002), now);
    expect(catalog.type("auth")?.balancerName).toBe("least-request");
    expect(catalog.type("todo")?.balancerName).toBe("round-robin");
  });
});
