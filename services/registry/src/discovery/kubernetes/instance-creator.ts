import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { DEFAULT_WEIGHT } from "./desired-instances.js";
import { endpointTargets } from "./endpoint-targets.js";
import {
  type EndpointSliceLike,
  SERVICE_INSTANCE,
  type ServiceInstance,
  WEIGHT_ANNOTATION,
} from "./kube-objects.js";
import { codeOf } from "./lease-elector.js";

/**
 * Creates the missing ServiceInstance of each endpoint's pod, owned by the
 * pod so the garbage collector deletes it with the pod. The initial weight
 * comes from the pod's `microtodo.dev/weight` annotation.
 */
export class InstanceCreator {
  readonly #core: CoreV1Api;
  readonly #custom: CustomObjectsApi;
  readonly #namespace: string;
  readonly #log: Logger;
  readonly #inFlight = new Set<string>();

  constructor(kubeConfig: KubeConfig, namespace: string, logger: Logger) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.#namespace = namespace;
    this.#log = logger;
  }

  /** Starts creating every missing ServiceInstance; never throws. */
  createMissing(
    slices: readonly EndpointSliceLike[],
    existing: readonly ServiceInstance[],
  ) {
    const names = new Set(existing.map((si) => si.metadata?.name));
    for (const target of slices.flatMap(endpointTargets)) {
      const pod = target.pod;
      if (!pod || names.has(pod.name) || this.#inFlight.has(pod.name)) continue;
      this.#inFlight.add(pod.name);
      void this.#create(pod, target.serviceType, target.visibility).finally(() =>
        this.#inFlight.delete(pod.name),
      );
    }
  }

  async #create(
    pod: { name: string; uid: string },
    serviceType: string,
    visibility: string,
  ) {
    try {
      const weight = await this.#podWeight(pod.name);
      const body: ServiceInstance = {
        apiVersion: `${SERVICE_INSTANCE.group}/${SERVICE_INSTANCE.version}`,
        kind: "ServiceInstance",
        metadata: {
          name: pod.name,
          labels: { "app.kubernetes.io/managed-by": "microtodo-registry" },
          ownerReferences: [
            {
              apiVersion: "v1",
              kind: "Pod",
              name: pod.name,
              uid: pod.uid,
              controller: false,
            },
          ],
        },
        spec: { serviceType, visibility, weight, draining: false },
      };
      await this.#custom.createNamespacedCustomObject({
        ...SERVICE_INSTANCE,
        namespace: this.#namespace,
        body,
      });
      this.#log.info({ serviceInstance: pod.name, weight }, "service instance created");
    } catch (err) {
      // 409: it exists already (another replica, or our cache lags); 404:
      // the pod went away meanwhile. Both settle on the next reconcile.
      const code = codeOf(err);
      if (code !== 409 && code !== 404)
        this.#log.warn(
          { err, serviceInstance: pod.name },
          "service instance create failed",
        );
    }
  }

  async #podWeight(name: string): Promise<number> {
    const pod = await this.#core.readNamespacedPod({ namespace: this.#namespace, name });
    const raw = pod.metadata?.annotations?.[WEIGHT_ANNOTATION];
    const weight = Number(raw);
    if (raw === undefined || !Number.isInteger(weight) || weight < 0 || weight > 1000) {
      if (raw !== undefined)
        this.#log.warn({ pod: name, weight: raw }, "pod weight ignored");
      return DEFAULT_WEIGHT;
    }
    return weight;
  }
}
