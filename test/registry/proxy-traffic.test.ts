import { setTimeout as sleep } from "node:timers/promises";
import { HealthState } from "@microtodo/api/registry";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { countByName, runLoad } from "./support/load.js";
import {
  startTestRegistry,
  type TestRegistry,
  testSecret,
  until,
} from "./support/test-registry.js";
import { startUpstream } from "./support/upstream.js";
import { spawnUpstream, type UpstreamProcess } from "./support/upstream-process.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function registry(env: Record<string, string>): Promise<TestRegistry> {
  const started = await startTestRegistry(env);
  cleanups.push(() => started.close());
  return started;
}

async function healthyCount(reg: TestRegistry, serviceType: string): Promise<number> {
  const { instances } = await reg.internalClient.listInstances({ serviceType });
  return instances.filter((i) => i.health === HealthState.HEALTHY).length;
}

describe("registry proxy with upstream processes", () => {
  let reg: TestRegistry;
  let upstreams: UpstreamProcess[];

  beforeAll(async () => {
    reg = await startTestRegistry({
      MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "200",
      MICROTODO_REGISTRY_HEALTH_TIMEOUT_MS: "200",
      MICROTODO_REGISTRY_SLOW_START_MS: "0",
    });
    upstreams = await Promise.all(
      ["one", "two", "three"].map((name) =>
        spawnUpstream({
          name,
          serviceType: "echo",
          registryUrl: reg.internalUrl,
          secret: testSecret,
          delayMs: 20,
        }),
      ),
    );
  });

  afterAll(async () => {
    for (const upstream of upstreams ?? []) upstream.child.kill("SIGKILL");
    await Promise.all((upstreams ?? []).map((upstream) => upstream.exited));
    await reg?.close();
  });

  it("lists three upstream processes that registered themselves", async () => {
    await until(async () => (await healthyCount(reg, "echo")) === 3);
    const { instances } = await reg.publicClient.listInstances({ serviceType: "echo" });
    expect(instances.map((i) => i.address).sort()).toEqual(
      upstreams.map((u) => `127.0.0.1:${u.port}`).sort(),
    );
  });

  it("takes a SIGKILLed instance out of rotation, failing only calls that reached it", async () => {
    const [victim] = upstreams;
    if (!victim) throw new Error("no upstream");
    await until(async () => (await healthyCount(reg, "echo")) === 3);
    const stop = new AbortController();
    const url = `${reg.publicUrl}/microtodo.echo.v1.EchoService/Echo`;
    const load = runLoad({ url, concurrency: 4, signal: stop.signal });
    await sleep(1000);
    const killedAtMs = Date.now();
    victim.child.kill("SIGKILL");
    const victimId = `echo@127.0.0.1:${victim.port}`;
    // Fall window: three failed checks 200 ms apart, plus jitter and slack.
    await until(async () => {
      const { instances } = await reg.internalClient.listInstances({
        serviceType: "echo",
      });
      const dead = instances.find((i) => i.id === victimId);
      return dead?.health === HealthState.UNHEALTHY || dead?.ejected === true;
    }, 3000);
    await sleep(500);
    stop.abort();
    const records = await load;
    const failures = records.filter((r) => r.status !== 200);
    // A call that started after the kill cannot have reached the victim.
    expect(failures.filter((r) => r.startedAtMs >= killedAtMs)).toEqual([]);
    expect(failures.length).toBeLessThanOrEqual(4);
    const after = countByName(records.filter((r) => r.startedAtMs >= killedAtMs));
    expect((after.get("two") ?? 0) + (after.get("three") ?? 0)).toBeGreaterThan(20);
  });
});

describe("registry proxy with failing upstreams", () => {
  it("gives an instance that fails fast less than its even share under peak-ewma and least-request", async () => {
    const reg = await registry({
      MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: "100",
      MICROTODO_REGISTRY_SLOW_START_MS: "0",
      MICROTODO_REGISTRY_BALANCERS: "pe=peak-ewma,lr=least-request",
    });
    for (const serviceType of ["pe", "lr"]) {
      const specs = [
        { name: `${serviceType}-bad`, status: 500, delayMs: 1 },
        { name: `${serviceType}-good-1`, status: 200, delayMs: 50 },
        { name: `${serviceType}-good-2`, status: 200, delayMs: 50 },
      ];
      for (const spec of specs) {
        const upstream = await startUpstream({
          ...spec,
          serviceType,
          registryUrl: reg.internalUrl,
          secret: testSecret,
        });
        cleanups.push(() => upstream.close());
      }
    }
    const shareOfBad = async (serviceType: string) => {
      await until(async () => (await healthyCount(reg, serviceType)) === 3);
      const url = `${reg.publicUrl}/microtodo.${serviceType}.v1.EchoService/Echo`;
      const records = await runLoad({ url, concurrency: 6, calls: 120 });
      expect(records).toHaveLength(120);
      return (countByName(records).get(`${serviceType}-bad`) ?? 0) / records.length;
    };
    const [peakEwma, leastRequest] = await Promise.all([
      shareOfBad("pe"),
      shareOfBad("lr"),
    ]);
    expect(peakEwma).toBeLessThan(1 / 3);
    expect(leastRequest).toBeLessThan(1 / 3);
  });
});
