import {
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Catalog } from "../../catalog/catalog.js";
import type { CatalogInstance } from "../../catalog/catalog-instance.js";
import { instanceStatus, statusChanged } from "./instance-status.js";
import {
  SERVICE_INSTANCE,
  type ServiceInstance,
  type ServiceInstanceStatus,
} from "./kube-objects.js";
import { codeOf } from "./lease-elector.js";

/** Options of StatusWriter. */
export interface StatusWriterOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly catalog: Catalog;
  readonly logger: Logger;
  /** The ServiceInstances currently cached by the informer. */
  readonly serviceInstances: () => readonly ServiceInstance[];
  /** Interval at which probe times are refreshed even when nothing else
   * changed. Default 10000 ms. */
  readonly statusIntervalMs?: number;
}

/**
 * Writes the registry's verdicts to ServiceInstance status through the
 * status subresource (merge patch). A change of condition, address or
 * failure count is written at once; the probe time alone at most once per
 * `statusIntervalMs`, so a busy registry does not flood the API server.
 */
export class StatusWriter {
  readonly #options: StatusWriterOptions;
  readonly #api: CustomObjectsApi;
  readonly #lastWriteMs = new Map<string, number>();
  readonly #written = new Map<string, ServiceInstanceStatus>();
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #writing: Promise<void> | undefined;
  #again = false;

  constructor(options: StatusWriterOptions) {
    this.#options = options;
    this.#api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.#intervalMs = options.statusIntervalMs ?? 10_000;
  }

  start() {
    if (this.#unsubscribe) return;
    this.#unsubscribe = this.#options.catalog.subscribe(() => this.requestFlush());
    this.#timer = setInterval(() => this.requestFlush(), this.#intervalMs);
    this.#timer.unref();
    this.requestFlush();
  }

  async stop() {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    clearInterval(this.#timer);
    await this.#writing;
  }

  /** Writes what changed soon; coalesces bursts of catalog changes. */
  requestFlush() {
    if (!this.#unsubscribe) return;
    if (this.#writing) {
      this.#again = true;
      return;
    }
    this.#writing = new Promise((resolve) => setTimeout(resolve, 50))
      .then(() => this.#flush())
      .finally(() => {
        this.#writing = undefined;
        if (this.#again) {
          this.#again = false;
          this.requestFlush();
        }
      });
  }

  async #flush() {
    const byName = this.#instancesByName();
    const nowMs = Date.now();
    const serviceInstances = this.#options.serviceInstances();
    this.#forgetDeleted(serviceInstances);
    for (const si of serviceInstances) {
      const name = si.metadata?.name ?? "";
      // External instances are reported only while in the catalog.
      const instance = byName.get(name);
      if (!instance && si.spec?.address) continue;
      const status = instanceStatus(si, instance, nowMs);
      const due = nowMs - (this.#lastWriteMs.get(name) ?? 0) >= this.#intervalMs;
      const probed = status.lastProbeTime !== si.status?.lastProbeTime;
      // Until the watch echoes our last write, the cache lags behind it.
      const stale = statusChanged(si.status, status);
      const unwritten = statusChanged(this.#written.get(name), status);
      if ((stale && (unwritten || due)) || (probed && due)) {
        await this.#write(name, status);
        this.#written.set(name, status);
        this.#lastWriteMs.set(name, nowMs);
      }
    }
  }

  #forgetDeleted(serviceInstances: readonly ServiceInstance[]) {
    const names = new Set(serviceInstances.map((si) => si.metadata?.name ?? ""));
    for (const name of this.#written.keys()) {
      if (names.has(name)) continue;
      this.#written.delete(name);
      this.#lastWriteMs.delete(name);
    }
  }

  #instancesByName(): Map<string, CatalogInstance> {
    const byName = new Map<string, CatalogInstance>();
    for (const instance of this.#options.catalog.instances()) {
      const name = instance.metadata.serviceInstance;
      if (instance.source === "kubernetes" && name) byName.set(name, instance);
    }
    return byName;
  }

  async #write(name: string, status: object) {
    try {
      await this.#api.patchNamespacedCustomObjectStatus(
        {
          ...SERVICE_INSTANCE,
          namespace: this.#options.namespace,
          name,
          body: { status },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    } catch (err) {
      if (codeOf(err) === 404) return;
      this.#options.logger.warn({ err, serviceInstance: name }, "status write failed");
    }
  }
}
