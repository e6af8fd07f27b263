// The registry's heap with 10,000 registered instances, next to two
// baselines measured in the same run: an empty catalog, and 10,000 plain
// objects holding the same fields.
// Run: npx tsx --conditions=source bench/registry/heap.ts (or make bench ONLY=registry)
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import pino from "pino";
import { createBalancer } from "../../services/registry/src/balancers/index.js";
import { Catalog } from "../../services/registry/src/catalog/catalog.js";
import {
  type RegistrationSpec,
  SelfRegistration,
} from "../../services/registry/src/discovery/self-registration.js";
import { HealthChecker } from "../../services/registry/src/health/health-checker.js";

const instanceCount = 10_000;
const targetBytes = 50 * 1024 * 1024;
const types = ["auth", "todo", "logger", "admin", "billing", "search", "mail", "files"];

// `make bench` passes --expose-gc; a plain `npx tsx` run gets it here.
if (globalThis.gc === undefined) setFlagsFromString("--expose-gc");
const gc = globalThis.gc ?? (runInNewContext("gc") as () => void);

/** Heap in use after full collections, in bytes. */
function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

function registrationSpec(i: number): RegistrationSpec {
  const serviceType = types[i % types.length] as string;
  return {
    serviceType,
    host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    port: 8000 + (i % 1000),
    visibility: serviceType === "logger" ? "internal" : "public",
    weight: 100,
    httpRoutes: serviceType === "todo" ? ["/api/todos", "/api/lists"] : [],
    metadata: { version: "1.4.2", zone: `zone-${i % 3}` },
  };
}

function createRegistry() {
  const catalog = new Catalog({
    logger: pino({ level: "silent" }),
    initialHealth: "healthy",
    createBalancer: (name) => createBalancer(name),
  });
  return { catalog, registration: new SelfRegistration({ catalog }) };
}

/** What the registry holds: every instance registered, every type picked
 * once, then an active checker's per-instance timers on top. The probe
 * answers at once without a socket: sockets in flight are not the
 * catalog's memory. */
async function measureRegistry(): Promise<{
  empty: number;
  full: number;
  checked: number;
}> {
  const base = heapUsed();
  const registry = createRegistry();
  const empty = heapUsed() - base;
  const nowMs = Date.now();
  for (let i = 0; i < instanceCount; i++) {
    registry.registration.register(registrationSpec(i), nowMs);
  }
  for (const entry of registry.catalog.types()) registry.catalog.endpoints(entry);
  const full = heapUsed() - base;
  const checker = new HealthChecker({
    catalog: registry.catalog,
    logger: pino({ level: "silent" }),
    probe: async () => ({ ok: true, reason: "SERVING" }),
    intervalMs: 60_000,
  });
  checker.start();
  // Every first check runs within 200 ms; then each instance waits on a timer.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const checked = heapUsed() - base;
  checker.stop();
  if (registry.catalog.size !== instanceCount) throw new Error("instances went missing");
  return { empty, full, checked };
}

/** The floor: the same fields as plain objects in a Map by id. */
function measurePlainObjects(): number {
  const base = heapUsed();
  const byId = new Map<string, object>();
  for (let i = 0; i < instanceCount; i++) {
    const spec = registrationSpec(i);
    const address = `${spec.host}:${spec.port}`;
    const id = `${spec.serviceType}@${address}`;
    byId.set(id, {
      ...spec,
      id,
      address,
      health: "healthy",
      draining: false,
      activeRequests: 0,
      latencyEwmaMs: 0,
      requests: 0,
      errors: 0,
      registeredAtMs: Date.now(),
    });
  }
  const used = heapUsed() - base;
  if (byId.size !== instanceCount) throw new Error("objects went missing");
  return used;
}

function row(name: string, bytes: number) {
  const mb = (bytes / 1024 / 1024).toFixed(2).padStart(8);
  const per = Math.round(bytes / instanceCount)
    .toString()
    .padStart(8);
  console.log(`${name.padEnd(44)} ${mb} MB ${per} B/instance`);
}

const registry = await measureRegistry();
const plain = measurePlainObjects();
console.log(`registry heap with ${instanceCount} instances (${types.length} types)`);
row("empty catalog", registry.empty);
row(`catalog + leases, ${instanceCount} instances`, registry.full);
row("  + active health checker timers", registry.checked);
row(`${instanceCount} plain objects, same fields`, plain);
console.log(`ratio to plain objects: ${(registry.checked / plain).toFixed(2)}`);
const verdict = registry.checked < targetBytes ? "met" : "MISSED";
console.log(`target < ${targetBytes / 1024 / 1024} MB: ${verdict}`);
