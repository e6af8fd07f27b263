import {
  Code,
  ConnectError,
  type HandlerContext,
  type ServiceImpl,
} from "@connectrpc/connect";
import type { RegistryService } from "@microtodo/api/registry";
import type { Catalog } from "../catalog/catalog.js";
import type { CatalogInstance } from "../catalog/catalog-instance.js";
import { pickFrom } from "../catalog/catalog-selector.js";
import type { SelfRegistration } from "../discovery/self-registration.js";
import type { Visibility } from "../proxy/upstream-selector.js";
import { type ClusterSpecChanger, changeInstance } from "./change-instance.js";
import { convertCatalogErrors } from "./convert-catalog-errors.js";
import { instanceToProto, serviceTypeToProto } from "./instance-to-proto.js";
import { createSecretCheck } from "./registration-secret.js";
import {
  validateId,
  validateRegisterRequest,
  validateServiceType,
  validateWeight,
} from "./registration-validation.js";
import { watchInstances } from "./watch-instances.js";

/** Which registry listener serves the calls. */
export type ListenerKind = "public" | "internal";

/** Options of createRegistryService. */
export interface RegistryServiceOptions {
  readonly catalog: Catalog;
  readonly registration: SelfRegistration;
  readonly listener: ListenerKind;
  /** The shared registration secret; empty refuses every change. */
  readonly secret: string;
  /** Present while Kubernetes discovery runs: SetWeight and Drain of the
   * instances it found go to their ServiceInstances through it. */
  readonly changeInCluster?: ClusterSpecChanger;
}

/**
 * microtodo.registry.v1.RegistryService for one listener. The public one
 * answers queries about public types only and refuses every change; the
 * internal one answers everything, and changes need the secret.
 */
export function createRegistryService(
  options: RegistryServiceOptions,
): ServiceImpl<typeof RegistryService> {
  const { catalog, registration, listener } = options;
  const checkSecret = createSecretCheck(options.secret);
  const visible = (visibility: Visibility) =>
    listener === "internal" || visibility === "public";
  const guardType = (serviceType: string) => {
    const entry = catalog.type(serviceType);
    if (entry && !visible(entry.visibility)) {
      throw new ConnectError(
        `service_type: type ${serviceType} is ${entry.visibility}; the public listener serves public types only`,
        Code.PermissionDenied,
      );
    }
    return entry;
  };
  const internalOnly = (ctx: HandlerContext) => {
    if (listener !== "internal") {
      throw new ConnectError(
        `${ctx.method.name} is served on the internal listener only`,
        Code.PermissionDenied,
      );
    }
  };
  const authorizeChange = (ctx: HandlerContext) => {
    internalOnly(ctx);
    checkSecret(ctx.requestHeader.get("authorization"));
  };
  const selectedTypes = (serviceType: string) => {
    if (serviceType === "") return undefined;
    validateServiceType(serviceType, "service_type");
    guardType(serviceType);
    return serviceType;
  };

  return {
    listServiceTypes() {
      const entries = [...catalog.types()].filter((entry) => visible(entry.visibility));
      entries.sort((a, b) => a.name.localeCompare(b.name));
      return { serviceTypes: entries.map((entry) => serviceTypeToProto(entry, catalog)) };
    },
    listInstances(request) {
      const serviceType = selectedTypes(request.serviceType);
      const instances = [...catalog.instances(serviceType)].filter((i) =>
        visible(i.visibility),
      );
      instances.sort((a, b) => a.id.localeCompare(b.id));
      return { instances: instances.map(instanceToProto) };
    },
    resolve(request) {
      const serviceType = validateServiceType(request.serviceType, "service_type");
      const entry = guardType(serviceType);
      if (!entry) {
        throw new ConnectError(
          `service_type: no service type "${serviceType}" is registered`,
          Code.NotFound,
        );
      }
      const instance = pickFrom(catalog, entry, request.key || undefined, undefined);
      if (!instance) {
        throw new ConnectError(
          `no instance of service type ${serviceType} is available`,
          Code.Unavailable,
        );
      }
      instance.picks++;
      return { instance: instanceToProto(instance) };
    },
    register(request, ctx) {
      authorizeChange(ctx);
      const spec = validateRegisterRequest(request);
      const { leaseId, instance } = convertCatalogErrors(() =>
        registration.register(spec, Date.now()),
      );
      return {
        leaseId,
        ttlMs: registration.leaseTtlMs,
        heartbeatIntervalMs: registration.heartbeatIntervalMs,
        instance: instanceToProto(instance),
      };
    },
    heartbeat(request, ctx) {
      // The lease id itself proves the caller registered; no secret needed.
      internalOnly(ctx);
      const leaseId = validateId(request.leaseId, "lease_id");
      if (!registration.heartbeat(leaseId, Date.now())) throw unknownLease();
      return { ttlMs: registration.leaseTtlMs };
    },
    deregister(request, ctx) {
      authorizeChange(ctx);
      const leaseId = validateId(request.leaseId, "lease_id");
      if (!registration.deregister(leaseId)) throw unknownLease();
      return {};
    },
    async setWeight(request, ctx) {
      authorizeChange(ctx);
      const id = validateId(request.instanceId, "instance_id");
      const weight = validateWeight(request.weight);
      const instance = await changeInstance(catalog, options.changeInCluster, id, {
        weight,
      });
      return { instance: instanceToProto(instance) };
    },
    async drain(request, ctx) {
      authorizeChange(ctx);
      const id = validateId(request.instanceId, "instance_id");
      const instance = await changeInstance(catalog, options.changeInCluster, id, {
        draining: request.draining,
      });
      return { instance: instanceToProto(instance) };
    },
    watchInstances(request, ctx) {
      const serviceType = selectedTypes(request.serviceType);
      const accepts = (instance: CatalogInstance) =>
        visible(instance.visibility) &&
        (serviceType === undefined || instance.serviceType === serviceType);
      return watchInstances(catalog, accepts, ctx.signal);
    },
  };
}

function unknownLease(): ConnectError {
  return new ConnectError(
    "lease_id: the registry does not know this lease (expired, or the registry restarted); register again",
    Code.NotFound,
  );
}
