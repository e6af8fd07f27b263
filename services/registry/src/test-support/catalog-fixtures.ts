import pino from "pino";
import { createBalancer } from "../balancers/index.js";
import { Catalog, type CatalogOptions } from "../catalog/catalog.js";
import type { InstanceSpec } from "../catalog/catalog-instance.js";

/** A logger that writes nothing, for tests. */
export const silentLogger = pino({ level: "silent" });

/** A catalog with real balancers and a silent logger. */
export function testCatalog(options: Partial<CatalogOptions> = {}): Catalog {
  return new Catalog({
    logger: silentLogger,
    createBalancer: (name) => createBalancer(name, { slowStartWindowMs: 0 }),
    ...options,
  });
}

/** An instance spec with test defaults. */
export function spec(
  serviceType: string,
  port: number,
  init: Partial<InstanceSpec> = {},
) {
  return {
    serviceType,
    host: "127.0.0.1",
    port,
    visibility: "public",
    weight: 100,
    httpRoutes: [],
    metadata: {},
    source: "self-registration",
    ...init,
  } satisfies InstanceSpec;
}
