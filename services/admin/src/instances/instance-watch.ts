import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "@connectrpc/connect";
import { ConnectError } from "@connectrpc/connect";
import {
  ChangeKind,
  type Instance,
  type RegistryService,
  type WatchInstancesResponse,
} from "@microtodo/api/registry";
import type { Logger } from "pino";
import {
  type HealthName,
  type InstanceJson,
  instanceJson,
  withLiveFields,
} from "./instance-json.js";

/** What the watch tells its listeners, in the contract's terms. */
export type InstanceEvent =
  | { readonly kind: "added" | "updated" | "removed"; readonly instance: InstanceJson }
  | { readonly kind: "synced" };

/** One health transition the admin server saw. */
export interface HealthChange {
  readonly time: string;
  readonly health: HealthName;
  readonly reason: string;
}

/** Options of startInstanceWatch. */
export interface InstanceWatchOptions {
  readonly registry: Client<typeof RegistryService>;
  readonly logger: Logger;
  /** Transitions kept per instance, newest first. Default 200. */
  readonly historyLimit?: number;
  /** First wait before watching again after a failure; doubles up to maxBackoffMs. Default 200. */
  readonly initialBackoffMs?: number;
  /** Default 10000. */
  readonly maxBackoffMs?: number;
}

/** The registry's instances as the admin server last heard of them. */
export interface InstanceWatch {
  /** True once the first full list arrived. */
  readonly synced: boolean;
  instances(): InstanceJson[];
  get(id: string): InstanceJson | undefined;
  /** Health transitions of an instance, newest first. */
  history(id: string): HealthChange[];
  /**
   * Calls `listener` with the current instances as `added` (and `synced`
   * when synced), then with every change. Returns the unsubscribe.
   */
  subscribe(listener: (event: InstanceEvent) => void): () => void;
  /**
   * Takes what the registry changes without announcing it (the last
   * check, active requests, failed checks in a row, stats) from a
   * ListInstances read sent at `sentAtMs`, and tells the listeners of
   * each instance it changed as `updated`.
   */
  refreshLive(instances: readonly Instance[], sentAtMs: number): void;
  stop(): Promise<void>;
}

/** Most instances whose health history is kept, gone ones included. */
const maxHistories = 2000;

/**
 * Holds WatchInstances open against the registry. When the stream ends or
 * fails it watches again with exponential backoff; the fresh stream's
 * initial list replaces the old one at its SYNCED marker, and instances
 * missing from it are announced as removed.
 */
export function startInstanceWatch(options: InstanceWatchOptions): InstanceWatch {
  const state = new WatchState(options.historyLimit ?? 200);
  const abort = new AbortController();
  const running = watchLoop(options, state, abort.signal);
  return {
    get synced() {
      return state.synced;
    },
    instances: () => [...state.current.values()],
    get: (id) => state.current.get(id),
    history: (id) => [...(state.histories.get(id) ?? [])],
    subscribe: (listener) => state.subscribe(listener),
    refreshLive: (instances, sentAtMs) => state.refreshLive(instances, sentAtMs),
    async stop() {
      abort.abort();
      await running;
    },
  };
}

async function watchLoop(
  options: InstanceWatchOptions,
  state: WatchState,
  signal: AbortSignal,
): Promise<void> {
  const initialMs = options.initialBackoffMs ?? 200;
  const maxMs = options.maxBackoffMs ?? 10_000;
  let failures = 0;
  while (!signal.aborted) {
    state.beginSync();
    try {
      for await (const response of options.registry.watchInstances({}, { signal })) {
        if (state.apply(response)) failures = 0;
      }
    } catch (err) {
      if (signal.aborted) return;
      // The first failure and then every tenth: a registry that is away
      // for minutes must not flood the log.
      if (failures % 10 === 0) {
        options.logger.warn(
          { err: ConnectError.from(err), failures },
          "instance watch failed",
        );
      }
    }
    failures++;
    const ceilingMs = Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 16));
    try {
      await sleep(ceilingMs * (0.5 + Math.random() / 2), undefined, { signal });
    } catch {
      return;
    }
  }
}

class WatchState {
  synced = false;
  current = new Map<string, InstanceJson>();
  readonly histories = new Map<string, HealthChange[]>();
  readonly #listeners = new Set<(event: InstanceEvent) => void>();
  /** The list being rebuilt by a fresh stream, until its SYNCED marker. */
  #incoming: Map<string, InstanceJson> | undefined;
  /** When the watch last told of each instance, ms since the epoch. */
  readonly #heardAtMs = new Map<string, number>();

  constructor(readonly historyLimit: number) {}

  beginSync(): void {
    this.#incoming = new Map();
  }

  /** Applies one watch message; true when it completed a sync. */
  apply(response: WatchInstancesResponse): boolean {
    if (response.kind === ChangeKind.SYNCED) {
      this.#finishSync();
      return true;
    }
    if (response.instance === undefined) return false;
    const instance = instanceJson(response.instance);
    this.#recordHealth(instance);
    if (response.kind === ChangeKind.REMOVED) {
      this.#incoming?.delete(instance.id);
      this.current.delete(instance.id);
      this.#heardAtMs.delete(instance.id);
      this.#emit({ kind: "removed", instance });
      return false;
    }
    this.#heardAtMs.set(instance.id, Date.now());
    if (this.#incoming) this.#incoming.set(instance.id, instance);
    else this.current.set(instance.id, instance);
    const kind = response.kind === ChangeKind.ADDED ? "added" : "updated";
    this.#emit({ kind, instance });
    return false;
  }

  subscribe(listener: (event: InstanceEvent) => void): () => void {
    for (const instance of this.current.values()) listener({ kind: "added", instance });
    if (this.synced) listener({ kind: "synced" });
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  refreshLive(instances: readonly Instance[], sentAtMs: number): void {
    // A fresh stream's list is on its way and will say all of it.
    if (this.#incoming) return;
    for (const fresh of instances) {
      const known = this.current.get(fresh.id);
      // The watch told of it after the read went out: the read may be older.
      if (!known || (this.#heardAtMs.get(fresh.id) ?? 0) >= sentAtMs) continue;
      const refreshed = withLiveFields(known, instanceJson(fresh));
      if (refreshed === undefined) continue;
      this.current.set(fresh.id, refreshed);
      this.#emit({ kind: "updated", instance: refreshed });
    }
  }

  #finishSync(): void {
    const incoming = this.#incoming ?? new Map<string, InstanceJson>();
    this.#incoming = undefined;
    for (const [id, instance] of this.current) {
      if (!incoming.has(id)) {
        this.#heardAtMs.delete(id);
        this.#emit({ kind: "removed", instance });
      }
    }
    this.current = incoming;
    this.synced = true;
    this.#emit({ kind: "synced" });
  }

  #recordHealth(instance: InstanceJson): void {
    let history = this.histories.get(instance.id);
    if (history === undefined) {
      if (this.histories.size >= maxHistories) this.#dropOldestHistory();
      history = [];
      this.histories.set(instance.id, history);
    }
    const last = history[0];
    if (last?.health === instance.health) return;
    history.unshift({
      time: instance.healthChangedAt,
      health: instance.health,
      reason: instance.healthReason,
    });
    if (history.length > this.historyLimit) history.length = this.historyLimit;
  }

  #dropOldestHistory(): void {
    for (const id of this.histories.keys()) {
      if (!this.current.has(id)) {
        this.histories.delete(id);
        return;
      }
    }
    const first = this.histories.keys().next();
    if (!first.done) this.histories.delete(first.value);
  }

  #emit(event: InstanceEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
