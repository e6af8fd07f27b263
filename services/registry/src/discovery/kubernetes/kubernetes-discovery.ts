import { hostname } from "node:os";
import {
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  type KubernetesListObject,
  type V1EndpointSlice,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Catalog } from "../../catalog/catalog.js";
import type { CatalogInstance } from "../../catalog/catalog-instance.js";
import { AppliedGenerations } from "./applied-generations.js";
import { CatalogSync } from "./catalog-sync.js";
import { desiredInstances, type HttpRoutesByType } from "./desired-instances.js";
import { InstanceCreator } from "./instance-creator.js";
import {
  SERVICE_INSTANCE,
  SERVICE_TYPE_LABEL,
  type ServiceInstance,
} from "./kube-objects.js";
import { LeaseElector, type LeaseTimings } from "./lease-elector.js";
import { ResilientInformer } from "./resilient-informer.js";
import { ServiceInstanceEditor, type SpecChange } from "./service-instance-editor.js";
import { StatusWriter } from "./status-writer.js";

/** Options of startKubernetesDiscovery. */
export interface KubernetesDiscoveryOptions extends LeaseTimings {
  readonly catalog: Catalog;
  /** In-cluster (loadFromCluster) or from a kubeconfig file. */
  readonly kubeConfig: KubeConfig;
  /** Namespace whose EndpointSlices and ServiceInstances are watched. */
  readonly namespace: string;
  /** HTTP path prefixes routed to each type's discovered instances. */
  readonly httpRoutes?: HttpRoutesByType;
  readonly logger: Logger;
  /** This replica's name in the leader Lease. Default: the host name (pod name). */
  readonly identity?: string;
  /** Name of the leader election Lease. Default "microtodo-registry". */
  readonly leaseName?: string;
  /** Interval of full relists of both informers; 0 disables. Default 300000 ms. */
  readonly relistIntervalMs?: number;
  /** First restart delay of a failed informer, doubling up to 30 s. Default 1000 ms. */
  readonly restartBaseMs?: number;
  /** A list slower than this counts as failed. Default 30000 ms. */
  readonly startTimeoutMs?: number;
  /** Longest time between two status writes with new probe times. Default 10000 ms. */
  readonly statusIntervalMs?: number;
  /** How long a spec change waits for the API server, and then for this
   * replica's informer. Default 2000 ms. */
  readonly specApplyTimeoutMs?: number;
}

/** A running Kubernetes discovery source. */
export interface KubernetesDiscovery {
  /** Settles after the first full list of EndpointSlices and ServiceInstances. */
  readonly ready: Promise<void>;
  /** True while this replica holds the leader Lease (and writes status). */
  readonly leading: () => boolean;
  /**
   * Sets weight or drain flag of an instance this source found, in its
   * ServiceInstance's spec, and resolves with the instance once this
   * replica's catalog reflects the change. Throws SpecChangeError.
   */
  changeSpec(instance: CatalogInstance, change: SpecChange): Promise<CatalogInstance>;
  /** Stops watching, writing and campaigning; releases the Lease. The
   * catalog keeps its instances. */
  stop(): Promise<void>;
}

/**
 * Feeds the catalog from the cluster: EndpointSlices labelled
 * `microtodo.dev/service-type` say where instances are and whether they
 * may get traffic; ServiceInstances carry weight and drain flag. The
 * elected leader also creates missing ServiceInstances and writes health
 * verdicts to their status.
 */
export function startKubernetesDiscovery(
  options: KubernetesDiscoveryOptions,
): KubernetesDiscovery {
  const source = new KubernetesSource(options);
  source.start();
  return {
    ready: source.ready,
    leading: () => source.leading,
    changeSpec: (instance, change) => source.editor.change(instance, change),
    stop: () => source.stop(),
  };
}

class KubernetesSource {
  readonly ready: Promise<void>;
  readonly editor: ServiceInstanceEditor;
  readonly #namespace: string;
  readonly #httpRoutes: HttpRoutesByType;
  readonly #sync: CatalogSync;
  readonly #creator: InstanceCreator;
  readonly #slices: ResilientInformer<V1EndpointSlice>;
  readonly #instances: ResilientInformer<ServiceInstance>;
  readonly #statusWriter: StatusWriter;
  readonly #elector: LeaseElector;
  readonly #applied = new AppliedGenerations();
  #scheduled = false;

  constructor(options: KubernetesDiscoveryOptions) {
    const { kubeConfig, namespace, catalog } = options;
    const logger = options.logger.child({ discovery: "kubernetes" });
    this.#namespace = namespace;
    this.#httpRoutes = options.httpRoutes ?? new Map();
    this.#sync = new CatalogSync(catalog, logger);
    this.#creator = new InstanceCreator(kubeConfig, namespace, logger);
    const informers = createInformers(options, logger, () => this.#requestReconcile());
    this.#slices = informers.slicesInformer;
    this.#instances = informers.instancesInformer;
    this.#statusWriter = new StatusWriter({
      kubeConfig,
      namespace,
      catalog,
      logger,
      serviceInstances: () => this.#instances.list(),
      statusIntervalMs: options.statusIntervalMs,
    });
    this.#elector = new LeaseElector({
      ...options,
      leaseName: options.leaseName ?? "microtodo-registry",
      identity: options.identity ?? hostname(),
      logger,
      onLeadingChange: (leading) => this.#leadingChanged(leading),
    });
    this.editor = new ServiceInstanceEditor({
      kubeConfig,
      namespace,
      catalog,
      applied: this.#applied,
      logger,
      specApplyTimeoutMs: options.specApplyTimeoutMs,
    });
    this.ready = Promise.all([this.#slices.ready, this.#instances.ready]).then(() =>
      this.#reconcile(),
    );
  }

  get leading(): boolean {
    return this.#elector.leading;
  }

  start() {
    this.#slices.start();
    this.#instances.start();
    this.#elector.start();
  }

  async stop() {
    await Promise.all([this.#slices.stop(), this.#instances.stop()]);
    // No write of ours may land after a successor has taken the lease.
    await this.#statusWriter.stop();
    await this.#elector.stop();
    this.#applied.close();
    this.#sync.close();
  }

  #leadingChanged(leading: boolean) {
    if (leading) this.#statusWriter.start();
    else void this.#statusWriter.stop();
    this.#requestReconcile();
  }

  // Informer events come in bursts (a relist replays every object): one
  // reconcile per turn of the event loop covers a whole burst.
  #requestReconcile() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#reconcile());
  }

  #reconcile() {
    this.#scheduled = false;
    const slices = this.#slices.list();
    const instances = this.#instances.list();
    this.#sync.apply(
      desiredInstances(slices, instances, this.#namespace, this.#httpRoutes),
    );
    this.#applied.record(instances);
    if (this.#elector.leading) this.#creator.createMissing(slices, instances);
    this.#statusWriter.requestFlush();
  }
}

function createInformers(
  options: KubernetesDiscoveryOptions,
  logger: Logger,
  onChange: () => void,
) {
  const { kubeConfig, namespace } = options;
  const common = {
    kubeConfig,
    logger,
    onChange,
    relistIntervalMs: options.relistIntervalMs,
    restartBaseMs: options.restartBaseMs,
    startTimeoutMs: options.startTimeoutMs,
  };
  const discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const { group, version, plural } = SERVICE_INSTANCE;
  const slicesInformer = new ResilientInformer<V1EndpointSlice>({
    ...common,
    name: "endpointslices",
    path: `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
    labelSelector: SERVICE_TYPE_LABEL,
    list: () =>
      discovery.listNamespacedEndpointSlice({
        namespace,
        labelSelector: SERVICE_TYPE_LABEL,
      }),
  });
  const instancesInformer = new ResilientInformer<ServiceInstance>({
    ...common,
    name: "serviceinstances",
    path: `/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
    list: async () =>
      (await custom.listNamespacedCustomObject({
        group,
        version,
        namespace,
        plural,
      })) as KubernetesListObject<ServiceInstance>,
  });
  return { slicesInformer, instancesInformer };
}
