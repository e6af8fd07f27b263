import { setTimeout as sleep } from "node:timers/promises";
import { HealthCheckResponse_ServingStatus } from "@microtodo/api/health";
import { afterEach, describe, expect, it } from "vitest";
import type { CatalogInstance } from "../catalog/catalog-instance.js";
import { silentLogger, spec, testCatalog } from "../test-support/catalog-fixtures.js";
import { startHealthServer } from "../test-support/health-server.js";
import { HealthChecker } from "./health-checker.js";

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const server = await startHealthServer();
  const catalog = testCatalog();
  const checker = new HealthChecker({
    catalog,
    logger: silentLogger,
    intervalMs: 40,
    timeoutMs: 200,
  });
  cleanups.push(
    () => server.close(),
    () => checker.stop(),
    () => catalog.close(),
  );
  checker.start();
  const { instance } = catalog.upsert(spec("todo", server.port), Date.now());
  return { server, catalog, instance };
}

async function until(condition: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(10);
  }
}

function healthOf(instance: CatalogInstance) {
  return instance.health;
}

describe("HealthChecker", () => {
  it("turns a pending instance healthy on its first passing check", async () => {
    const { instance } = await setup();
    expect(instance.health).toBe("pending");
    await until(() => healthOf(instance) === "healthy");
    expect(instance.lastCheck).toMatchObject({ ok: true, reason: "SERVING" });
  });

  it("turns unhealthy after three failures and healthy again after two passes", async () => {
    const { server, instance } = await setup();
    await until(() => healthOf(instance) === "healthy");
    server.status = HealthCheckResponse_ServingStatus.NOT_SERVING;
    await until(() => healthOf(instance) === "unhealthy");
    expect(instance.checkFailures).toBeGreaterThanOrEqual(3);
    expect(instance.healthReason).toMatch(/^3 health checks failed; last: NOT_SERVING/);
    server.status = HealthCheckResponse_ServingStatus.SERVING;
    await until(() => healthOf(instance) === "healthy");
    expect(instance.checkPasses).toBeGreaterThanOrEqual(2);
  });

  it("fails a check that outlasts the timeout, and one that is refused", async () => {
    const { server, instance } = await setup();
    server.delayMs = 400;
    await until(() => instance.lastCheck?.ok === false);
    expect(instance.lastCheck?.reason).toMatch(/^DeadlineExceeded/);
    await server.close();
    await until(() => /ECONNREFUSED/.test(instance.lastCheck?.reason ?? ""));
  });

  it("stops checking an instance once it leaves the catalog", async () => {
    const { catalog, instance } = await setup();
    await until(() => instance.lastCheck !== undefined);
    catalog.remove(instance.id, "test");
    const last = instance.lastCheck;
    await sleep(150);
    expect(instance.lastCheck).toBe(last);
  });
});
