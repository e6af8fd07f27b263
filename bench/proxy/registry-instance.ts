// The real registry for the proxy benchmark, run as its own process:
// createRegistryApp with its default balancer (weighted-round-robin) and
// active health checks, both listeners on free ports. The upstream ports
// given as arguments are registered as public "todo" instances through the
// kit's registration client, as a service would do; once every one of them
// passed its health check it prints `{"port":N}` (the public listener).
import { setTimeout as sleep } from "node:timers/promises";
import { HealthState } from "@microtodo/api/registry";
import {
  createMetrics,
  createRegistryClient,
  parseConfig,
  type RegistrationHandle,
  startRegistration,
} from "@microtodo/kit";
import { pino } from "pino";
import {
  createRegistryApp,
  registryConfigSchema,
} from "../../services/registry/src/index.js";

/** How long the instances get to pass their first health check. */
const healthyWithinMs = 15_000;
const secret = "bench-registry-secret";

const ports = process.argv.slice(2).map(Number);
const parsed = parseConfig(registryConfigSchema, {
  MICROTODO_PUBLIC_PORT: "0",
  MICROTODO_INTERNAL_PORT: "0",
  MICROTODO_REGISTRY_SECRET: secret,
  MICROTODO_INSTANCE: "bench-registry",
  // The instances start together and the measurement begins seconds later:
  // a slow-start ramp would skew the split while it lasts.
  MICROTODO_REGISTRY_SLOW_START_MS: "0",
});
if (!parsed.ok) throw new Error(`registry config: ${parsed.problems.join("; ")}`);
const config = parsed.value;
const logger = pino({ level: "warn" }, process.stderr);
const metrics = createMetrics({ service: "registry", instance: config.instance });
const app = createRegistryApp({ config, logger, metrics });
const addresses = await app.start();

const client = createRegistryClient({ registryUrl: addresses.internal.url, secret });
const registrations: RegistrationHandle[] = ports.map((port) =>
  startRegistration({
    client,
    logger,
    spec: { serviceType: "todo", address: `127.0.0.1:${port}`, visibility: "public" },
  }),
);
await Promise.all(registrations.map((r) => r.registered));
await waitUntilHealthy(ports.length);
process.stdout.write(`${JSON.stringify({ port: addresses.public.port })}\n`);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    void Promise.all(registrations.map((r) => r.stop()))
      .then(() => app.close(1000))
      .finally(() => process.exit(0));
  });
}

async function waitUntilHealthy(count: number): Promise<void> {
  const deadline = Date.now() + healthyWithinMs;
  while (Date.now() < deadline) {
    const instances = await client.listInstances("todo");
    const healthy = instances.filter((i) => i.health === HealthState.HEALTHY);
    if (healthy.length === count) return;
    await sleep(100);
  }
  throw new Error(`the ${count} bench instances did not turn healthy in time`);
}
