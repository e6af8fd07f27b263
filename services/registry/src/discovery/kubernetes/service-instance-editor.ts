import {
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Catalog } from "../../catalog/catalog.js";
import type { CatalogInstance } from "../../catalog/catalog-instance.js";
import type { AppliedGenerations } from "./applied-generations.js";
import { SERVICE_INSTANCE, type ServiceInstance } from "./kube-objects.js";
import { codeOf } from "./lease-elector.js";
import { SpecChangeError } from "./spec-change-error.js";

/** A change of the two ServiceInstance spec fields an operator may set. */
export type SpecChange = { readonly weight: number } | { readonly draining: boolean };

/** Options of ServiceInstanceEditor. */
export interface ServiceInstanceEditorOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly catalog: Catalog;
  readonly applied: AppliedGenerations;
  readonly logger: Logger;
  /** How long the patch, and then this replica's informer, each get.
   * Default 2000 ms. */
  readonly specApplyTimeoutMs?: number;
}

/**
 * Changes weight and drain flag of a discovered instance where the cluster
 * keeps them: the spec of its ServiceInstance. Any replica may write; each
 * replica's informer then brings the change into its own catalog, so a
 * change made through one replica reaches all of them and survives
 * reconciles.
 */
export class ServiceInstanceEditor {
  readonly #options: ServiceInstanceEditorOptions;
  readonly #api: CustomObjectsApi;
  readonly #timeoutMs: number;

  constructor(options: ServiceInstanceEditorOptions) {
    this.#options = options;
    this.#api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.#timeoutMs = options.specApplyTimeoutMs ?? 2000;
  }

  /**
   * Merge-patches the instance's ServiceInstance spec, waits until this
   * replica's catalog reflects the patched generation, and returns the
   * instance as the catalog now has it. Throws SpecChangeError.
   */
  async change(instance: CatalogInstance, change: SpecChange): Promise<CatalogInstance> {
    const name = instance.metadata.serviceInstance;
    if (!name) {
      throw new SpecChangeError(
        "no-object",
        `instance ${instance.id} has no ServiceInstance (its endpoint names no pod), so its weight and drain flag cannot be changed`,
      );
    }
    const patched = await this.#patch(instance.id, name, change);
    const { uid = "", generation = 0 } = patched.metadata ?? {};
    const reflected = await this.#options.applied.waitFor(
      name,
      uid,
      generation,
      this.#timeoutMs,
    );
    if (!reflected) {
      throw new SpecChangeError(
        "unavailable",
        `ServiceInstance ${name} of instance ${instance.id} was changed, but this registry's watch did not bring the change in within ${this.#timeoutMs} ms; it will arrive, and repeating the call is safe`,
      );
    }
    const now = this.#options.catalog.get(instance.id);
    if (!now) {
      throw new SpecChangeError(
        "gone",
        `instance ${instance.id} left the catalog (its endpoint is no longer ready); ServiceInstance ${name} was changed`,
      );
    }
    this.#options.logger.info(
      { instanceId: instance.id, serviceInstance: name, ...change },
      "service instance spec changed",
    );
    return now;
  }

  async #patch(id: string, name: string, change: SpecChange): Promise<ServiceInstance> {
    const request = this.#api.patchNamespacedCustomObject(
      {
        ...SERVICE_INSTANCE,
        namespace: this.#options.namespace,
        name,
        body: { spec: change },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    ) as Promise<ServiceInstance>;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
    });
    try {
      return await Promise.race([request, timeout]);
    } catch (err) {
      throw patchError(err, id, name);
    } finally {
      clearTimeout(timer);
    }
  }
}

function patchError(err: unknown, id: string, name: string): SpecChangeError {
  const code = codeOf(err);
  const subject = `ServiceInstance ${name} of instance ${id}`;
  // The leader creates a pod's ServiceInstance when the pod's endpoint
  // first appears; until then there is nothing to patch. Creating it here
  // instead would race the leader and need the pod's uid for the owner
  // reference, so the caller is told to retry.
  if (code === 404)
    return new SpecChangeError(
      "no-object",
      `${subject} does not exist yet (the leading registry creates it shortly after the pod's endpoint appears); try again in a few seconds`,
      { cause: err },
    );
  if (code === undefined || code === 429 || code >= 500)
    return new SpecChangeError(
      "unavailable",
      `the Kubernetes API server did not change ${subject}: ${messageOf(err)}`,
      { cause: err },
    );
  return new SpecChangeError(
    "refused",
    `the Kubernetes API server refused to change ${subject} (HTTP ${code}): ${messageOf(err)}`,
    { cause: err },
  );
}

/** The API server's own message from a Status body, else the error's. */
function messageOf(err: unknown): string {
  const body = (err as { body?: unknown } | undefined)?.body;
  if (typeof body === "string") {
    try {
      const status = JSON.parse(body) as { message?: unknown };
      if (typeof status.message === "string") return status.message;
    } catch {
      // Not a Status object; fall back to the error's own message.
    }
  }
  return err instanceof Error ? err.message : String(err);
}
