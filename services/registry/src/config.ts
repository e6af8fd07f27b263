import {
  type ConfigOf,
  commonConfig,
  envDurationMs,
  envEnum,
  envInt,
  envPort,
  envString,
  envVar,
} from "@microtodo/kit";
import { z } from "zod";
import { validateHttpRoutes } from "./api/registration-validation.js";
import { BALANCER_NAMES, type BalancerName, isBalancerName } from "./balancers/index.js";

/**
 * Parses "todo=weighted-round-robin,auth=least-request" into a map from
 * service type to balancer name.
 */
function parseBalancerList(raw: string) {
  const map = new Map<string, BalancerName>();
  for (const item of raw
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [type = "", name = "", extra] = item.split("=").map((part) => part.trim());
    if (extra !== undefined || !/^[a-z0-9-]{1,63}$/.test(type)) {
      return { ok: false as const, problem: `has a malformed entry "${item}"` };
    }
    if (!isBalancerName(name)) {
      return {
        ok: false as const,
        problem: `names an unknown balancer "${name}" for ${type}`,
      };
    }
    map.set(type, name);
  }
  return { ok: true as const, value: map as ReadonlyMap<string, BalancerName> };
}

/**
 * Parses "todo=/api/todos,auth=/.well-known/jwks.json" into path prefixes
 * per service type; a type may be named more than once.
 */
function parseHttpRouteList(raw: string) {
  const byType = new Map<string, string[]>();
  for (const item of raw
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [type = "", route = "", extra] = item.split("=").map((part) => part.trim());
    if (extra !== undefined || !/^[a-z0-9-]{1,63}$/.test(type)) {
      return { ok: false as const, problem: `has a malformed entry "${item}"` };
    }
    byType.set(type, [...(byType.get(type) ?? []), route]);
  }
  for (const [type, routes] of byType) {
    try {
      byType.set(type, validateHttpRoutes(routes));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false as const, problem: `has a bad route for ${type}: ${reason}` };
    }
  }
  return { ok: true as const, value: byType as ReadonlyMap<string, readonly string[]> };
}

/**
 * The registry's environment. Besides commonConfig (whose MICROTODO_HOST
 * and MICROTODO_PORT the registry does not use: it has two listeners):
 */
export const registryConfigSchema = z.object({
  ...commonConfig,
  /** Interface of the public listener. Default 127.0.0.1, so a laptop's
   * `make run` is not reachable from the network; containers set 0.0.0.0. */
  MICROTODO_PUBLIC_HOST: envString({ default: "127.0.0.1" }),
  /** Port of the public listener. Default 8080. */
  MICROTODO_PUBLIC_PORT: envPort({ default: 8080 }),
  /** Interface of the internal listener. Default 127.0.0.1 (loopback). */
  MICROTODO_INTERNAL_HOST: envString({ default: "127.0.0.1" }),
  /** Port of the internal listener. Default 8081. */
  MICROTODO_INTERNAL_PORT: envPort({ default: 8081 }),
  /** The shared registration secret. Required: without it anyone on the
   * internal listener could take over a type's traffic. */
  MICROTODO_REGISTRY_SECRET: envString(),
  /** Balancer per type, "type=name,type=name". Default none. */
  MICROTODO_REGISTRY_BALANCERS: envVar(
    `a list like "todo=weighted-round-robin,auth=least-request" using ${BALANCER_NAMES.join(", ")}`,
    parseBalancerList,
    { default: new Map(), allowEmpty: true },
  ),
  /** Balancer of types not listed. Default weighted-round-robin. */
  MICROTODO_REGISTRY_DEFAULT_BALANCER: envEnum(BALANCER_NAMES, {
    default: "weighted-round-robin",
  }),
  /** Time over which a new or recovered instance ramps up to full weight; 0
   * disables slow start. Default 30000. */
  MICROTODO_REGISTRY_SLOW_START_MS: envDurationMs({ default: 30_000 }),
  /** Below this percentage of eligible instances a type balances over all
   * of its non-draining instances. Default 50. */
  MICROTODO_REGISTRY_PANIC_THRESHOLD_PERCENT: envInt(0, 100, { default: 50 }),
  /** A lease lapses (instance unhealthy) this long after its last heartbeat. Default 15000. */
  MICROTODO_REGISTRY_LEASE_TTL_MS: envDurationMs({ default: 15_000 }),
  /** Heartbeat interval the registry asks for. Default 5000. */
  MICROTODO_REGISTRY_HEARTBEAT_INTERVAL_MS: envDurationMs({ default: 5000 }),
  /** Silence after which a self-registered instance is removed; 0 means
   * three times the lease TTL. Default 0. */
  MICROTODO_REGISTRY_REMOVE_AFTER_MS: envDurationMs({ default: 0 }),
  /** Active health check interval; 0 disables active checks (instances are
   * then healthy while their lease holds). Default 2000. */
  MICROTODO_REGISTRY_HEALTH_INTERVAL_MS: envDurationMs({ default: 2000 }),
  /** A health check slower than this fails. Default 1000. */
  MICROTODO_REGISTRY_HEALTH_TIMEOUT_MS: envDurationMs({ default: 1000 }),
  /** Consecutive passes that make an unhealthy instance healthy. Default 2. */
  MICROTODO_REGISTRY_HEALTH_RISE: envInt(1, 100, { default: 2 }),
  /** Consecutive failures that make an instance unhealthy. Default 3. */
  MICROTODO_REGISTRY_HEALTH_FALL: envInt(1, 100, { default: 3 }),
  /** Consecutive failed proxied calls that eject an instance; 0 disables
   * passive ejection. Default 5. */
  MICROTODO_REGISTRY_EJECT_AFTER_FAILURES: envInt(0, 10_000, { default: 5 }),
  /** Length of a first ejection; the n-th lasts n times as long. Default 10000. */
  MICROTODO_REGISTRY_EJECT_BASE_MS: envDurationMs({ default: 10_000 }),
  /** Longest ejection. Default 300000. */
  MICROTODO_REGISTRY_EJECT_MAX_MS: envDurationMs({ default: 300_000 }),
  /** Largest share of a type ejected at once, in percent. Default 50. */
  MICROTODO_REGISTRY_EJECT_MAX_PERCENT: envInt(0, 100, { default: 50 }),
  /** Where instances come from besides self-registration: "self" (only
   * that) or "kubernetes" (EndpointSlices and ServiceInstances too). Default self. */
  MICROTODO_REGISTRY_DISCOVERY: envEnum(["self", "kubernetes"] as const, {
    default: "self",
  }),
  /** kubeconfig file for the kubernetes source; empty uses the pod's
   * service account (in-cluster). Default empty. */
  MICROTODO_KUBECONFIG: envString({ default: "", allowEmpty: true }),
  /** Namespace the kubernetes source watches; empty means the pod's own
   * namespace. Default empty. */
  MICROTODO_KUBE_NAMESPACE: envString({ default: "", allowEmpty: true }),
  /** HTTP path prefixes of instances the kubernetes source discovers, which
   * cannot say them as self-registered ones do: "type=/prefix,...".
   * Default none. */
  MICROTODO_REGISTRY_HTTP_ROUTES: envVar(
    'a list like "todo=/api/todos,auth=/.well-known/jwks.json"',
    parseHttpRouteList,
    { default: new Map(), allowEmpty: true },
  ),
});

/** The registry's validated, frozen configuration. */
export type RegistryConfig = ConfigOf<typeof registryConfigSchema>;
