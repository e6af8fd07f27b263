import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { RegistryService } from "@microtodo/api/registry";
import { createMetrics, parseConfig } from "@microtodo/kit";
import {
  createRegistryApp,
  type RegistryApp,
  registryConfigSchema,
} from "@microtodo/registry";
import { pino } from "pino";

/** The registration secret every test registry uses. */
export const testSecret = "test-secret-0123456789abcdef";

/** A registry on two ephemeral loopback ports. */
export interface TestRegistry {
  readonly app: RegistryApp;
  readonly publicUrl: string;
  readonly internalUrl: string;
  readonly publicClient: Client<typeof RegistryService>;
  readonly internalClient: Client<typeof RegistryService>;
  close(): Promise<void>;
}

/** Starts a registry configured like production, with `env` on top. */
export async function startTestRegistry(
  env: Record<string, string> = {},
): Promise<TestRegistry> {
  const parsed = parseConfig(registryConfigSchema, {
    MICROTODO_REGISTRY_SECRET: testSecret,
    MICROTODO_PUBLIC_PORT: "0",
    MICROTODO_INTERNAL_PORT: "0",
    MICROTODO_INSTANCE: "test-registry",
    ...env,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  const app = createRegistryApp({
    config: parsed.value,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    metrics: createMetrics({
      service: "registry",
      instance: "test",
      defaultMetrics: false,
    }),
  });
  const addresses = await app.start();
  return {
    app,
    publicUrl: addresses.public.url,
    internalUrl: addresses.internal.url,
    publicClient: registryClient(addresses.public.url),
    internalClient: registryClient(addresses.internal.url),
    close: () => app.close(2000),
  };
}

/** A Connect (HTTP/1.1, JSON) client of RegistryService at `baseUrl`. */
export function registryClient(baseUrl: string): Client<typeof RegistryService> {
  return createClient(
    RegistryService,
    createConnectTransport({ baseUrl, httpVersion: "1.1" }),
  );
}

/** Call options that carry the registration secret. */
export const withSecret = { headers: { authorization: `Bearer ${testSecret}` } };

/** Waits until `condition` holds, polling every 20 ms. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
