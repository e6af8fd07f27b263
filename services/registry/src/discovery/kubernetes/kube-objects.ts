import type { KubernetesObject } from "@kubernetes/client-node";

/** Label on a Service (copied to its EndpointSlices) naming the service type. */
export const SERVICE_TYPE_LABEL = "microtodo.dev/service-type";
/** Label giving the type's visibility: public, internal (default) or admin. */
export const VISIBILITY_LABEL = "microtodo.dev/visibility";
/** Pod annotation with the initial weight of its ServiceInstance. */
export const WEIGHT_ANNOTATION = "microtodo.dev/weight";

/** Group, version and plural of the ServiceInstance custom resource. */
export const SERVICE_INSTANCE = {
  group: "microtodo.dev",
  version: "v1alpha1",
  plural: "serviceinstances",
} as const;

/** A condition of ServiceInstance status, as the CRD defines it. */
export interface InstanceCondition {
  type: "Ready" | "Healthy";
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** ServiceInstance.status, as the CRD defines it. */
export interface ServiceInstanceStatus {
  address?: string;
  observedGeneration?: number;
  lastProbeTime?: string;
  lastProbeResult?: string;
  consecutiveFailures?: number;
  conditions?: InstanceCondition[];
}

/** The ServiceInstance custom resource. */
export interface ServiceInstance extends KubernetesObject {
  spec?: {
    serviceType?: string;
    visibility?: string;
    weight?: number;
    draining?: boolean;
    address?: string;
  };
  status?: ServiceInstanceStatus;
}

/** The fields of a discovery.k8s.io/v1 EndpointSlice the registry reads.
 * Objects from a list and from a watch agree on these (no dates). */
export interface EndpointSliceLike extends KubernetesObject {
  addressType?: string;
  ports?: Array<{ name?: string; port?: number }> | null;
  endpoints?: Array<{
    addresses?: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    targetRef?: { kind?: string; name?: string; namespace?: string; uid?: string };
  }> | null;
}
