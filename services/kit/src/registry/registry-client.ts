import { Agent } from "node:http";
import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import {
  type Instance,
  Visibility as ProtoVisibility,
  RegistryService,
} from "@microtodo/api/registry";
import type { Logger } from "pino";

/** Which registry listener may route to a service type. */
export type ServiceVisibility = "public" | "internal" | "admin";

/** What a service states about itself when it registers. */
export interface RegistrationSpec {
  /** Lower-case letters, digits and dashes, 1 to 63 characters ("todo"). */
  readonly serviceType: string;
  /** host:port the registry and its proxy reach this instance at. */
  readonly address: string;
  readonly visibility: ServiceVisibility;
  /** Relative share of traffic, 0..1000. Default 100. */
  readonly weight?: number;
  /** HTTP path prefixes the registry routes to this type ("/api/todos"). */
  readonly httpRoutes?: readonly string[];
  /** Free-form labels (version, zone); at most 32. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A lease the registry granted. */
export interface RegistryLease {
  readonly leaseId: string;
  readonly instanceId: string;
  /** The lease lapses this long after the last heartbeat. */
  readonly ttlMs: number;
  /** How often the registry expects a heartbeat. */
  readonly heartbeatIntervalMs: number;
}

/** One instance the registry picked. */
export interface ResolvedInstance {
  readonly id: string;
  readonly serviceType: string;
  /** host:port. */
  readonly address: string;
  /** "http://host:port", ready to be a base URL. */
  readonly url: string;
}

/** Options of createRegistryClient. */
export interface RegistryClientOptions {
  /** The registry's internal listener, e.g. "http://127.0.0.1:8081"; an
   * empty string gives a disabled client whose calls fail UNAVAILABLE. */
  readonly registryUrl: string;
  /** The shared registration secret, sent as `authorization: Bearer …`. */
  readonly secret: string;
  /** How long a resolved instance is reused, in ms. Default 2000. */
  readonly resolveCacheMs?: number;
  /** Deadline of each call to the registry, in ms. Default 3000. */
  readonly callTimeoutMs?: number;
  /** Gets a debug line when a resolution fails. */
  readonly logger?: Logger;
}

/** Talks to the registry's RegistryService. Every method rejects with a ConnectError. */
export interface RegistryClient {
  /** False when registryUrl was empty. */
  readonly enabled: boolean;
  register(spec: RegistrationSpec, signal?: AbortSignal): Promise<RegistryLease>;
  /** Rejects NOT_FOUND when the registry forgot the lease: register again. */
  heartbeat(leaseId: string, signal?: AbortSignal): Promise<void>;
  deregister(leaseId: string, signal?: AbortSignal): Promise<void>;
  /** The instance the type's balancer picks, reused for resolveCacheMs.
   * `key` is an affinity key for hashing balancers (a user id). */
  resolve(serviceType: string, key?: string): Promise<ResolvedInstance>;
  /** resolve(type) as "http://host:port". */
  resolveUrl(serviceType: string): Promise<string>;
  /** Drops cached resolutions of a type, after a call to it failed. */
  forget(serviceType: string): void;
  /** Instances of a type, or of every type when omitted. */
  listInstances(serviceType?: string): Promise<Instance[]>;
}

const visibilities: Record<ServiceVisibility, ProtoVisibility> = {
  public: ProtoVisibility.PUBLIC,
  internal: ProtoVisibility.INTERNAL,
  admin: ProtoVisibility.ADMIN,
};

/** Creates a client for the registry at `registryUrl`. */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  if (options.registryUrl === "") return disabledClient;
  const timeoutMs = options.callTimeoutMs ?? 3000;
  const headers: Record<string, string> = {};
  if (options.secret !== "") headers.authorization = `Bearer ${options.secret}`;
  const rpc = createRpcClient(options.registryUrl);
  const cache = new ResolveCache(options.resolveCacheMs ?? 2000);
  const call = (signal?: AbortSignal) => ({ headers, timeoutMs, signal });

  const resolve = (serviceType: string, key = "") =>
    cache.get(serviceType, key, async () => {
      try {
        const { instance } = await rpc.resolve({ serviceType, key }, call());
        if (!instance) {
          throw new ConnectError(
            `registry resolved ${serviceType} to nothing`,
            Code.Internal,
          );
        }
        return toResolved(instance);
      } catch (err) {
        options.logger?.debug({ err, serviceType }, "resolve failed");
        throw ConnectError.from(err);
      }
    });

  return {
    enabled: true,
    async register(spec, signal) {
      const response = await rpc.register(
        {
          serviceType: spec.serviceType,
          address: spec.address,
          visibility: visibilities[spec.visibility],
          weight: spec.weight,
          httpRoutes: [...(spec.httpRoutes ?? [])],
          metadata: { ...spec.metadata },
        },
        call(signal),
      );
      return {
        leaseId: response.leaseId,
        instanceId: response.instance?.id ?? "",
        ttlMs: response.ttlMs,
        heartbeatIntervalMs: response.heartbeatIntervalMs,
      };
    },
    async heartbeat(leaseId, signal) {
      await rpc.heartbeat({ leaseId }, call(signal));
    },
    async deregister(leaseId, signal) {
      await rpc.deregister({ leaseId }, call(signal));
    },
    resolve,
    async resolveUrl(serviceType) {
      return (await resolve(serviceType)).url;
    },
    forget(serviceType) {
      cache.forget(serviceType);
    },
    async listInstances(serviceType = "") {
      return (await rpc.listInstances({ serviceType }, call())).instances;
    },
  };
}

function createRpcClient(registryUrl: string): Client<typeof RegistryService> {
  // A fresh connection per call: calls are seconds apart, and a reused
  // socket could be one the registry's keep-alive timeout just closed.
  const agent = new Agent({ keepAlive: false });
  const transport = createConnectTransport({
    baseUrl: registryUrl,
    httpVersion: "1.1",
    useBinaryFormat: true,
    nodeOptions: { agent },
  });
  return createClient(RegistryService, transport);
}

function toResolved(instance: Instance): ResolvedInstance {
  return {
    id: instance.id,
    serviceType: instance.serviceType,
    address: instance.address,
    url: `http://${instance.address}`,
  };
}

/** Most cached resolutions; affinity keys could otherwise grow it forever. */
const maxCacheEntries = 1000;

interface CacheEntry {
  readonly serviceType: string;
  readonly expiresAtMs: number;
  readonly value: Promise<ResolvedInstance>;
}

/** Reuses a resolution for a while; concurrent callers share one call. */
class ResolveCache {
  readonly #ttlMs: number;
  readonly #entries = new Map<string, CacheEntry>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  get(serviceType: string, key: string, load: () => Promise<ResolvedInstance>) {
    const cacheKey = `${serviceType}\u0000${key}`;
    const nowMs = Date.now();
    const cached = this.#entries.get(cacheKey);
    if (cached && cached.expiresAtMs > nowMs) return cached.value;
    if (this.#entries.size >= maxCacheEntries) this.#entries.clear();
    const value = load();
    this.#entries.set(cacheKey, { serviceType, expiresAtMs: nowMs + this.#ttlMs, value });
    // A failure is not worth remembering: the next caller asks again.
    value.catch(() => {
      if (this.#entries.get(cacheKey)?.value === value) this.#entries.delete(cacheKey);
    });
    return value;
  }

  forget(serviceType: string) {
    for (const [cacheKey, entry] of this.#entries) {
      if (entry.serviceType === serviceType) this.#entries.delete(cacheKey);
    }
  }
}

const disabledError = () =>
  new ConnectError(
    "registry disabled: MICROTODO_REGISTRY_URL is empty",
    Code.Unavailable,
  );

const disabledClient: RegistryClient = {
  enabled: false,
  register: () => Promise.reject(disabledError()),
  heartbeat: () => Promise.reject(disabledError()),
  deregister: () => Promise.reject(disabledError()),
  resolve: () => Promise.reject(disabledError()),
  resolveUrl: () => Promise.reject(disabledError()),
  forget: () => {},
  listInstances: () => Promise.reject(disabledError()),
};
