import { HealthStatus, type Metrics, ServingStatus } from "@microtodo/kit";
import type { Logger } from "pino";
import type { ClusterSpecChanger } from "./api/change-instance.js";
import { createBalancer } from "./balancers/index.js";
import { Catalog } from "./catalog/catalog.js";
import { createCatalogMetrics } from "./catalog/catalog-metrics.js";
import { createCatalogSelector } from "./catalog/catalog-selector.js";
import type { RegistryConfig } from "./config.js";
import {
  type KubernetesDiscovery,
  SpecChangeError,
  startKubernetesDiscovery,
} from "./discovery/kubernetes/index.js";
import { kubeNamespace, loadKubeConfig } from "./discovery/kubernetes/kube-connection.js";
import { SelfRegistration } from "./discovery/self-registration.js";
import { HealthChecker } from "./health/health-checker.js";
import { OutlierDetector } from "./health/outlier-detector.js";
import {
  createRegistryListener,
  type ListenAddress,
  type RegistryListener,
} from "./listeners/registry-listener.js";
import type { ProxyOptions } from "./proxy/proxy-options.js";

/** Options of createRegistryApp. */
export interface RegistryAppOptions {
  readonly config: RegistryConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Proxy tuning; defaults suit instances with Node's 5 s keep-alive. */
  readonly proxyOptions?: ProxyOptions;
}

/** Where the two listeners ended up. */
export interface RegistryAddresses {
  readonly public: ListenAddress;
  readonly internal: ListenAddress;
}

/** The registry, built but not started. */
export interface RegistryApp {
  readonly catalog: Catalog;
  readonly registration: SelfRegistration;
  readonly health: HealthStatus;
  readonly publicListener: RegistryListener;
  readonly internalListener: RegistryListener;
  /** Listens on both listeners, starts lease sweeps and health checks,
   * then reports SERVING. */
  start(): Promise<RegistryAddresses>;
  /** Reports NOT_SERVING, stops accepting, lets open calls finish for up
   * to `deadlineMs` (default shutdownTimeoutMs), then stops every timer. */
  close(deadlineMs?: number): Promise<void>;
}

/**
 * Wires the catalog, self-registration, active and passive health
 * checking and both listeners from the configuration. Nothing listens and
 * no timer runs until start().
 */
export function createRegistryApp(options: RegistryAppOptions): RegistryApp {
  const { config, logger, metrics } = options;
  const catalog = createConfiguredCatalog(options);
  const registration = new SelfRegistration({
    catalog,
    leaseTtlMs: config.registryLeaseTtlMs,
    heartbeatIntervalMs: config.registryHeartbeatIntervalMs,
    removeAfterMs: config.registryRemoveAfterMs || undefined,
  });
  const checker = createChecker(config, catalog, logger);
  const outliers = new OutlierDetector(catalog, {
    consecutiveFailures: config.registryEjectAfterFailures,
    baseEjectionMs: config.registryEjectBaseMs,
    maxEjectionMs: config.registryEjectMaxMs,
    maxEjectedFraction: config.registryEjectMaxPercent / 100,
  });
  const selector = createCatalogSelector(catalog, { outliers });
  const health = new HealthStatus(ServingStatus.NOT_SERVING);
  let discovery: KubernetesDiscovery | undefined;
  // The listeners are built before start() starts discovery, hence the
  // late lookup.
  const changeInCluster: ClusterSpecChanger = async (instance, change) => {
    if (!discovery)
      throw new SpecChangeError("unavailable", "Kubernetes discovery is not running");
    return discovery.changeSpec(instance, change);
  };
  const listenerOptions = {
    catalog,
    registration,
    secret: config.registrySecret,
    changeInCluster:
      config.registryDiscovery === "kubernetes" ? changeInCluster : undefined,
    selector,
    logger,
    metrics,
    health,
    proxyOptions: options.proxyOptions,
  };
  const publicListener = createRegistryListener({ ...listenerOptions, kind: "public" });
  const internalListener = createRegistryListener({
    ...listenerOptions,
    kind: "internal",
  });

  return {
    catalog,
    registration,
    health,
    publicListener,
    internalListener,
    async start() {
      const internal = await internalListener.listen(
        config.internalHost,
        config.internalPort,
      );
      const publicAddress = await publicListener.listen(
        config.publicHost,
        config.publicPort,
      );
      registration.start();
      checker?.start();
      discovery = startDiscovery(config, catalog, logger);
      // Ready (SERVING) only once the catalog is complete; liveness
      // (/healthz) never waits on the API server.
      void (discovery?.ready ?? Promise.resolve()).then(
        () => health.set("", ServingStatus.SERVING),
        (err: unknown) => logger.error({ err }, "kubernetes discovery never synced"),
      );
      logger.info(
        { public: publicAddress.url, internal: internal.url },
        "registry listening",
      );
      return { public: publicAddress, internal };
    },
    async close(deadlineMs = config.shutdownTimeoutMs) {
      health.drain();
      await Promise.all([
        publicListener.close(deadlineMs),
        internalListener.close(deadlineMs),
      ]);
      checker?.stop();
      registration.stop();
      await discovery?.stop();
      catalog.close();
    },
  };
}

function createConfiguredCatalog({
  config,
  logger,
  metrics,
}: RegistryAppOptions): Catalog {
  return new Catalog({
    logger,
    balancers: config.registryBalancers,
    defaultBalancer: config.registryDefaultBalancer,
    panicThreshold: config.registryPanicThresholdPercent / 100,
    // Without active checks, an instance is healthy while its lease holds.
    initialHealth: config.registryHealthIntervalMs > 0 ? "pending" : "healthy",
    metrics: createCatalogMetrics(metrics.registry),
    createBalancer: (name) =>
      createBalancer(name, { slowStartWindowMs: config.registrySlowStartMs }),
  });
}

function startDiscovery(
  config: RegistryConfig,
  catalog: Catalog,
  logger: Logger,
): KubernetesDiscovery | undefined {
  if (config.registryDiscovery !== "kubernetes") return undefined;
  return startKubernetesDiscovery({
    catalog,
    kubeConfig: loadKubeConfig(config.kubeconfig),
    namespace: kubeNamespace(config.kubeNamespace),
    httpRoutes: config.registryHttpRoutes,
    identity: config.instance,
    logger,
  });
}

function createChecker(config: RegistryConfig, catalog: Catalog, logger: Logger) {
  if (config.registryHealthIntervalMs === 0) return undefined;
  return new HealthChecker({
    catalog,
    logger,
    intervalMs: config.registryHealthIntervalMs,
    timeoutMs: config.registryHealthTimeoutMs,
    risePasses: config.registryHealthRise,
    fallFailures: config.registryHealthFall,
  });
}
