import { describe, expect, it } from "vitest";
import { spec, testCatalog } from "../test-support/catalog-fixtures.js";
import { SelfRegistration } from "./self-registration.js";

const t0 = 1_700_000_000_000;

function setup() {
  const catalog = testCatalog({ initialHealth: "healthy" });
  const registration = new SelfRegistration({ catalog, leaseTtlMs: 15_000 });
  return { catalog, registration };
}

function registrationSpec(port: number) {
  const { source: _source, ...rest } = spec("todo", port);
  return rest;
}

describe("SelfRegistration", () => {
  it("renews the same lease when the same type and address register again", () => {
    const { catalog, registration } = setup();
    const first = registration.register(registrationSpec(4001), t0);
    const second = registration.register(registrationSpec(4001), t0 + 1000);
    expect(second.leaseId).toBe(first.leaseId);
    expect(first.leaseId).toMatch(/^[\w-]{24}$/);
    expect(catalog.size).toBe(1);
  });

  it("marks a lease past its TTL unhealthy, then removes it after three TTLs", () => {
    const { catalog, registration } = setup();
    const { instance } = registration.register(registrationSpec(4001), t0);
    registration.sweep(t0 + 15_000);
    expect(instance.health).toBe("healthy");
    registration.sweep(t0 + 15_001);
    expect(instance.health).toBe("unhealthy");
    expect(instance.healthReason).toMatch(/^lease expired: no heartbeat for 15001 ms/);
    registration.sweep(t0 + 45_001);
    expect(catalog.get(instance.id)).toBeUndefined();
  });

  it("restores a lapsed instance when its heartbeat resumes", () => {
    const { registration } = setup();
    const { leaseId, instance } = registration.register(registrationSpec(4001), t0);
    registration.sweep(t0 + 20_000);
    expect(registration.heartbeat(leaseId, t0 + 21_000)).toBe(true);
    expect(instance.health).toBe("healthy");
    registration.sweep(t0 + 35_000);
    expect(instance.health).toBe("healthy");
  });

  it("answers unknown for a lease it never granted or already removed", () => {
    const { registration } = setup();
    const { leaseId } = registration.register(registrationSpec(4001), t0);
    expect(registration.heartbeat("nope", t0)).toBe(false);
    expect(registration.deregister(leaseId)).toBe(true);
    expect(registration.heartbeat(leaseId, t0)).toBe(false);
    expect(registration.deregister(leaseId)).toBe(false);
  });

  it("forgets the lease of an instance removed by other means", () => {
    const { catalog, registration } = setup();
    const { leaseId, instance } = registration.register(registrationSpec(4001), t0);
    catalog.remove(instance.id, "operator");
    expect(registration.heartbeat(leaseId, t0)).toBe(false);
    const again = registration.register(registrationSpec(4001), t0);
    expect(again.leaseId).not.toBe(leaseId);
  });
});
