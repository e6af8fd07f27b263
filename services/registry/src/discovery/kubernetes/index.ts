// The Kubernetes discovery source, for registry-app.ts to start when the
// registry runs in a cluster.

export {
  SERVICE_INSTANCE,
  SERVICE_TYPE_LABEL,
  VISIBILITY_LABEL,
  WEIGHT_ANNOTATION,
} from "./kube-objects.js";
export {
  type KubernetesDiscovery,
  type KubernetesDiscoveryOptions,
  startKubernetesDiscovery,
} from "./kubernetes-discovery.js";
export type { LeaseTimings } from "./lease-elector.js";
export type { SpecChange } from "./service-instance-editor.js";
export { SpecChangeError, type SpecChangeErrorKind } from "./spec-change-error.js";
