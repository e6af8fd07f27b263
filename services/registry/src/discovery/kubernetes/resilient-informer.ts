import {
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
  type ObjectCache,
} from "@kubernetes/client-node";
import type { Logger } from "pino";

/** Options of ResilientInformer. */
export interface ResilientInformerOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** Short name for logs, e.g. "endpointslices". */
  readonly name: string;
  /** API path to watch, e.g. /apis/discovery.k8s.io/v1/namespaces/ns/endpointslices. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly labelSelector?: string;
  readonly logger: Logger;
  /** Called after every change of the cached objects. */
  readonly onChange: () => void;
  /** First delay before restarting a failed informer; doubles per failure. Default 1000 ms. */
  readonly restartBaseMs?: number;
  /** Longest restart delay. Default 30000 ms. */
  readonly restartMaxMs?: number;
  /** Interval of full relists; 0 disables them. Default 300000 ms. */
  readonly relistIntervalMs?: number;
  /** A start (list and watch request) slower than this counts as failed. Default 30000 ms. */
  readonly startTimeoutMs?: number;
}

type Started<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

/**
 * A list-and-watch cache that keeps itself alive. The client library's
 * informer stops for good when a list fails or a watch breaks with an
 * error, and never relists on its own; this one replaces a failed informer
 * with a fresh one after a growing delay, and swaps in a freshly listed one
 * on an interval. The old cache stays readable until its successor has
 * listed, so readers never see an empty gap.
 */
export class ResilientInformer<T extends KubernetesObject> {
  /** Settles once the first list has succeeded. */
  readonly ready: Promise<void>;
  readonly #options: ResilientInformerOptions<T>;
  readonly #log: Logger;
  #current: Started<T> | undefined;
  #markReady: () => void = () => {};
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #generation = 0;

  constructor(options: ResilientInformerOptions<T>) {
    this.#options = options;
    this.#log = options.logger.child({ informer: options.name });
    this.ready = new Promise((resolve) => {
      this.#markReady = resolve;
    });
  }

  /** The cached objects; empty until the first list. */
  list(): readonly T[] {
    return this.#current?.list() ?? [];
  }

  start() {
    void this.#replace("start");
  }

  async stop() {
    this.#stopped = true;
    this.#generation++;
    clearTimeout(this.#timer);
    await this.#current?.stop();
  }

  async #replace(why: string) {
    const generation = ++this.#generation;
    clearTimeout(this.#timer);
    let listed = false;
    const informer = makeInformer<T>(
      this.#options.kubeConfig,
      this.#options.path,
      async () => {
        const result = await this.#options.list();
        listed = true;
        return result;
      },
      this.#options.labelSelector,
    ) as Started<T>;
    const isCurrent = () => generation === this.#generation;
    informer.on("change", () => {
      if (informer === this.#current) this.#options.onChange();
    });
    informer.on("error", (err) => {
      if (isCurrent()) this.#failed(informer, err);
    });
    const started = await this.#startWithin(informer);
    if (!isCurrent()) {
      await informer.stop();
      return;
    }
    if (!started || !listed) {
      if (!started) this.#failed(informer, new Error("list or watch timed out"));
      return;
    }
    await this.#adopt(informer, why);
  }

  async #adopt(informer: Started<T>, why: string) {
    const previous = this.#current;
    this.#current = informer;
    this.#failures = 0;
    await previous?.stop();
    this.#log.debug({ why, objects: informer.list().length }, "informer listed");
    this.#options.onChange();
    this.#markReady();
    const relistMs = this.#options.relistIntervalMs ?? 300_000;
    if (relistMs > 0) this.#schedule(relistMs, "relist");
  }

  async #startWithin(informer: Started<T>): Promise<boolean> {
    const timeoutMs = this.#options.startTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const starting = informer.start().then(() => true);
    const result = await Promise.race([starting, timeout]);
    clearTimeout(timer);
    // The library opens its watch once a slow list returns, even if stopped
    // meanwhile; stop it again then so no watch outlives us.
    if (!result) void starting.then(() => informer.stop());
    return result;
  }

  #failed(informer: Started<T>, err: unknown) {
    if (this.#stopped) return;
    void informer.stop();
    // A failed informer keeps its last cache readable while we wait.
    this.#generation++;
    this.#failures++;
    const base = this.#options.restartBaseMs ?? 1000;
    const max = this.#options.restartMaxMs ?? 30_000;
    const delayMs = Math.min(max, base * 2 ** (this.#failures - 1));
    this.#log.warn(
      { err, delayMs, failures: this.#failures },
      "informer failed; restarting",
    );
    this.#schedule(delayMs, "restart");
  }

  #schedule(delayMs: number, why: string) {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#replace(why), delayMs);
    this.#timer.unref();
  }
}
