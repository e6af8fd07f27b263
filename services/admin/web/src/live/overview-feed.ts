import { api } from "../api/api-client";
import type {
  Instance,
  Overview,
  ServiceType,
  Traffic,
  TrafficPoint,
} from "../api/types";

/** How the overview is being kept up to date. */
export type FeedMode = "connecting" | "live" | "polling";

/** What the overview shows; replaced (never mutated) on every change. */
export interface FeedState {
  readonly mode: FeedMode;
  readonly types: ReadonlyMap<string, ServiceType>;
  readonly instances: ReadonlyMap<string, Instance>;
  readonly traffic: ReadonlyMap<string, readonly TrafficPoint[]>;
  /** The last failure of a snapshot request, shown until one succeeds. */
  readonly error: string | undefined;
}

/** Options of OverviewFeed; defaults in brackets. */
export interface OverviewFeedOptions {
  /** Polling period once the stream failed [3000]. */
  readonly pollMs?: number;
  /** How often to try the stream again while polling [10000]. */
  readonly streamRetryMs?: number;
  /** Traffic history kept per instance [300000]. */
  readonly historyMs?: number;
}

interface InstanceEvent {
  readonly kind: "added" | "updated" | "removed";
  readonly instance: Instance;
}

interface TrafficEvent {
  readonly t: number;
  readonly instances: Readonly<Record<string, Omit<TrafficPoint, "t">>>;
}

/**
 * Keeps the registry's picture current: a snapshot first, then the
 * /api/events stream; when the stream fails twice before it synced (or the
 * server refuses it) the feed polls /api/overview and /api/traffic instead,
 * and keeps trying the stream until it holds again.
 */
export class OverviewFeed {
  #state: FeedState = {
    mode: "connecting",
    types: new Map(),
    instances: new Map(),
    traffic: new Map(),
    error: undefined,
  };
  readonly #listeners = new Set<(state: FeedState) => void>();
  readonly #pollMs: number;
  readonly #streamRetryMs: number;
  readonly #historyMs: number;
  #stream: EventSource | undefined;
  #pending: Map<string, Instance> | undefined;
  #failures = 0;
  #pollTimer: ReturnType<typeof setInterval> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #snapshot: Promise<void> | undefined;
  #typesTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: OverviewFeedOptions = {}) {
    this.#pollMs = options.pollMs ?? 3_000;
    this.#streamRetryMs = options.streamRetryMs ?? 10_000;
    this.#historyMs = options.historyMs ?? 300_000;
  }

  get state(): FeedState {
    return this.#state;
  }

  subscribe(listener: (state: FeedState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    void this.#loadSnapshot();
    this.#openStream();
  }

  stop(): void {
    this.#stopped = true;
    this.#stream?.close();
    clearInterval(this.#pollTimer);
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#typesTimer);
  }

  #update(change: Partial<FeedState>): void {
    if (this.#stopped) return;
    this.#state = { ...this.#state, ...change };
    for (const listener of this.#listeners) listener(this.#state);
  }

  /** One snapshot request at a time: a burst of events for a new type, or
   * a slow server under polling, must not pile requests up. */
  #loadSnapshot(): Promise<void> {
    this.#snapshot ??= this.#fetchSnapshot().finally(() => {
      this.#snapshot = undefined;
    });
    return this.#snapshot;
  }

  async #fetchSnapshot(): Promise<void> {
    const seconds = Math.round(this.#historyMs / 1000);
    try {
      const [overview, traffic] = await Promise.all([
        api<Overview>("/api/overview"),
        api<Traffic>(`/api/traffic?seconds=${seconds}`),
      ]);
      const change: Partial<FeedState> = {
        types: new Map(overview.types.map((t) => [t.name, t])),
        traffic: new Map(
          Object.entries(traffic.instances).map(([id, s]) => [id, s.points]),
        ),
        error: undefined,
      };
      // While the stream holds, its instance events are newer than any snapshot.
      if (this.#state.mode !== "live") {
        Object.assign(change, { instances: byId(overview.instances) });
      }
      this.#update(change);
    } catch (err) {
      this.#update({ error: err instanceof Error ? err.message : String(err) });
    }
  }

  #openStream(): void {
    if (this.#stopped) return;
    const stream = new EventSource("/api/events");
    this.#stream = stream;
    stream.addEventListener("open", () => {
      this.#pending = new Map();
    });
    stream.addEventListener("instance", (event) => {
      this.#onInstance(JSON.parse((event as MessageEvent<string>).data));
    });
    stream.addEventListener("synced", () => this.#onSynced());
    stream.addEventListener("traffic", (event) => {
      this.#onTraffic(JSON.parse((event as MessageEvent<string>).data));
    });
    stream.addEventListener("error", () => this.#onStreamError(stream));
  }

  #onInstance({ kind, instance }: InstanceEvent): void {
    // Between (re)connecting and `synced` the server replays every
    // instance as `added`; the burst replaces the list when it is complete.
    const target = this.#pending ?? new Map(this.#state.instances);
    if (kind === "removed") target.delete(instance.id);
    else target.set(instance.id, instance);
    if (!this.#pending) this.#update({ instances: target });
    if (!this.#state.types.has(instance.serviceType)) this.#refreshTypesSoon();
  }

  /** A type appeared that the last snapshot did not have: fetch its
   * balancer and visibility once the burst of events has passed. */
  #refreshTypesSoon(): void {
    if (this.#typesTimer !== undefined) return;
    this.#typesTimer = setTimeout(() => {
      this.#typesTimer = undefined;
      void this.#loadSnapshot();
    }, 1_000);
  }

  #onSynced(): void {
    const instances = this.#pending ?? new Map(this.#state.instances);
    this.#pending = undefined;
    this.#failures = 0;
    clearInterval(this.#pollTimer);
    this.#pollTimer = undefined;
    this.#update({ mode: "live", instances });
  }

  #onTraffic(event: TrafficEvent): void {
    const traffic = new Map(this.#state.traffic);
    const oldest = event.t - this.#historyMs;
    for (const [id, sample] of Object.entries(event.instances)) {
      const points = (traffic.get(id) ?? []).filter((p) => p.t > oldest && p.t < event.t);
      points.push({ t: event.t, ...sample });
      traffic.set(id, points);
    }
    this.#update({ traffic });
  }

  #onStreamError(stream: EventSource): void {
    if (stream !== this.#stream) return;
    this.#failures += 1;
    const refused = stream.readyState === EventSource.CLOSED;
    if (!refused && this.#failures < 2 && this.#state.mode !== "polling") {
      // The browser reconnects by itself; until it has, the page is not live.
      this.#update({ mode: "connecting" });
      return;
    }
    // The browser would retry on its own; past two failures polling takes
    // over, and a fresh stream is tried now and then.
    stream.close();
    this.#stream = undefined;
    this.#pending = undefined;
    this.#startPolling();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#openStream(), this.#streamRetryMs);
  }

  #startPolling(): void {
    if (this.#pollTimer !== undefined) return;
    this.#update({ mode: "polling" });
    void this.#loadSnapshot();
    this.#pollTimer = setInterval(() => void this.#loadSnapshot(), this.#pollMs);
  }
}

function byId(instances: readonly Instance[]): Map<string, Instance> {
  return new Map(instances.map((i) => [i.id, i]));
}
