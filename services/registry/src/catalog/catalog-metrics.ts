import { Counter, Gauge, type Registry } from "prom-client";
import type { Catalog } from "./catalog.js";
import type { CatalogInstance, HealthVerdict } from "./catalog-instance.js";

/** The catalog's hooks into prom-client; see createCatalogMetrics. */
export interface CatalogMetrics {
  /** Lets gauges read the catalog when scraped. */
  observe(catalog: Catalog): void;
  instanceAdded(instance: CatalogInstance): void;
  instanceRemoved(instance: CatalogInstance): void;
  healthChanged(instance: CatalogInstance, from: HealthVerdict, to: HealthVerdict): void;
  ejected(instance: CatalogInstance): void;
  panicChanged(serviceType: string, panic: boolean): void;
}

/**
 * Registers the catalog's metrics: instance counts by health and
 * ejected instances (read at scrape time), membership changes, health
 * transitions, ejections and panic mode per service type.
 */
export function createCatalogMetrics(registry: Registry): CatalogMetrics {
  let catalog: Catalog | undefined;
  new Gauge({
    name: "microtodo_registry_instances",
    help: "Instances in the catalog by service type and health.",
    labelNames: ["service_type", "health"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const instance of catalog?.instances() ?? []) {
        this.inc({ service_type: instance.serviceType, health: instance.health });
      }
    },
  });
  new Gauge({
    name: "microtodo_registry_ejected_instances",
    help: "Instances ejected by passive health checking, by service type.",
    labelNames: ["service_type"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of catalog?.types() ?? []) {
        this.set({ service_type: entry.name }, entry.ejectedCount);
      }
    },
  });
  const changes = new Counter({
    name: "microtodo_registry_instance_changes_total",
    help: "Instances added to and removed from the catalog.",
    labelNames: ["service_type", "change"] as const,
    registers: [registry],
  });
  const transitions = new Counter({
    name: "microtodo_registry_health_transitions_total",
    help: "Health state changes of instances.",
    labelNames: ["service_type", "from", "to"] as const,
    registers: [registry],
  });
  const ejections = new Counter({
    name: "microtodo_registry_ejections_total",
    help: "Ejections by passive health checking.",
    labelNames: ["service_type", "instance"] as const,
    registers: [registry],
  });
  const panic = new Gauge({
    name: "microtodo_registry_panic",
    help: "1 while a service type balances over all instances for lack of eligible ones.",
    labelNames: ["service_type"] as const,
    registers: [registry],
  });
  return {
    observe(observed) {
      catalog = observed;
    },
    instanceAdded(instance) {
      changes.inc({ service_type: instance.serviceType, change: "added" });
    },
    instanceRemoved(instance) {
      changes.inc({ service_type: instance.serviceType, change: "removed" });
    },
    healthChanged(instance, from, to) {
      transitions.inc({ service_type: instance.serviceType, from, to });
    },
    ejected(instance) {
      ejections.inc({ service_type: instance.serviceType, instance: instance.id });
    },
    panicChanged(serviceType, inPanic) {
      panic.set({ service_type: serviceType }, inPanic ? 1 : 0);
    },
  };
}
