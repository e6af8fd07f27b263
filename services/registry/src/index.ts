// Public surface of @microtodo/registry: the app factory for main.ts and
// tests, and the catalog for discovery sources (Kubernetes) to feed.
export { createRegistryService, type ListenerKind } from "./api/registry-service.js";
export { Catalog, type CatalogOptions, type UpsertResult } from "./catalog/catalog.js";
export type {
  CatalogChange,
  CatalogChangeKind,
  CatalogListener,
} from "./catalog/catalog-change.js";
export { CatalogError } from "./catalog/catalog-error.js";
export {
  CatalogInstance,
  type HealthVerdict,
  type InstanceSource,
  type InstanceSpec,
  instanceId,
} from "./catalog/catalog-instance.js";
export { createCatalogSelector } from "./catalog/catalog-selector.js";
export { type RegistryConfig, registryConfigSchema } from "./config.js";
export * from "./discovery/kubernetes/index.js";
export {
  type RegistrationSpec,
  SelfRegistration,
} from "./discovery/self-registration.js";
export { HealthChecker } from "./health/health-checker.js";
export { OutlierDetector } from "./health/outlier-detector.js";
export type { ListenAddress, RegistryListener } from "./listeners/registry-listener.js";
export {
  createRegistryApp,
  type RegistryAddresses,
  type RegistryApp,
  type RegistryAppOptions,
} from "./registry-app.js";
