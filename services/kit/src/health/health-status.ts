import { HealthCheckResponse_ServingStatus as ServingStatus } from "@microtodo/api/health";

export { ServingStatus };

/** Called with a service's new status each time it changes. */
export type HealthListener = (status: ServingStatus) => void;

/**
 * The serving status of each service name an instance exposes, as the
 * grpc.health.v1 protocol reports it. `""` is the instance as a whole.
 */
export class HealthStatus {
  readonly #statuses = new Map<string, ServingStatus>();
  readonly #listeners = new Map<string, Set<HealthListener>>();
  readonly #drained = new AbortController();

  /** Starts with `""` at `initial`. Default NOT_SERVING, until the server is ready. */
  constructor(initial: ServingStatus = ServingStatus.NOT_SERVING) {
    this.#statuses.set("", initial);
  }

  /** Sets one service's status and notifies its watchers if it changed. Ignored once drained. */
  set(service: string, status: ServingStatus): void {
    if (this.#drained.signal.aborted) return;
    this.#update(service, status);
  }

  /** Sets every known service, `""` included, to `status`. Ignored once drained. */
  setAll(status: ServingStatus): void {
    for (const service of [...this.#statuses.keys()]) this.set(service, status);
  }

  /** The status of `service`, or undefined if it was never set. */
  get(service: string): ServingStatus | undefined {
    return this.#statuses.get(service);
  }

  /** Every known service with its status. */
  list(): Map<string, ServingStatus> {
    return new Map(this.#statuses);
  }

  /** True once {@link drain} ran. */
  get drained(): boolean {
    return this.#drained.signal.aborted;
  }

  /** Calls `listener` on each change of `service`; returns the unsubscribe function. */
  subscribe(service: string, listener: HealthListener): () => void {
    let listeners = this.#listeners.get(service);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(service, listeners);
    }
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /**
   * Sets everything NOT_SERVING for good (later `set` calls are ignored, so a
   * late "ready" cannot undo a shutdown) and ends every {@link watch}.
   */
  drain(): void {
    for (const service of this.#statuses.keys()) {
      this.#update(service, ServingStatus.NOT_SERVING);
    }
    this.#drained.abort();
  }

  /**
   * Yields the current status of `service` (SERVICE_UNKNOWN if never set),
   * then each change. Bursts are coalesced to the latest value. Ends when
   * `signal` aborts or the status is drained.
   */
  async *watch(service: string, signal?: AbortSignal): AsyncGenerator<ServingStatus> {
    let pending: ServingStatus | undefined =
      this.get(service) ?? ServingStatus.SERVICE_UNKNOWN;
    let wake: (() => void) | undefined;
    const unsubscribe = this.subscribe(service, (status) => {
      pending = status;
      wake?.();
    });
    const stop = AbortSignal.any([this.#drained.signal, ...(signal ? [signal] : [])]);
    const onStop = () => wake?.();
    stop.addEventListener("abort", onStop);
    try {
      let last: ServingStatus | undefined;
      for (;;) {
        if (pending !== undefined && pending !== last) {
          last = pending;
          pending = undefined;
          yield last;
        } else if (stop.aborted) {
          return;
        } else {
          await new Promise<void>((resolve) => (wake = resolve));
        }
      }
    } finally {
      unsubscribe();
      stop.removeEventListener("abort", onStop);
    }
  }

  #update(service: string, status: ServingStatus): void {
    const previous = this.#statuses.get(service);
    this.#statuses.set(service, status);
    if (previous === status) return;
    for (const listener of this.#listeners.get(service) ?? []) listener(status);
  }
}
