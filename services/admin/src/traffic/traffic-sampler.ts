import type { Client } from "@connectrpc/connect";
import { ConnectError } from "@connectrpc/connect";
import type { Instance, RegistryService } from "@microtodo/api/registry";
import type { Logger } from "pino";
import { latencyQuantileMs } from "./latency-quantile.js";
import { RingBuffer } from "./ring-buffer.js";

/** One step of one instance's traffic. */
export interface TrafficPoint {
  /** End of the step, ms since the epoch. */
  readonly t: number;
  readonly rps: number;
  /** Failed share of the calls in the step, 0..1; 0 without calls. */
  readonly errorRate: number;
  /** Null when the step had no calls or the registry reports no histogram. */
  readonly p99Ms: number | null;
}

/** What every listener hears after each sample. */
export interface TrafficTick {
  readonly t: number;
  readonly instances: Record<string, Omit<TrafficPoint, "t">>;
}

/** Options of startTrafficSampler. */
export interface TrafficSamplerOptions {
  readonly registry: Client<typeof RegistryService>;
  readonly logger: Logger;
  /** Time between samples. Default 2000. */
  readonly stepMs?: number;
  /** How far back points are kept. Default 600000 (10 minutes). */
  readonly windowMs?: number;
  /**
   * Hears every successful read, with when the read was sent (ms since
   * the epoch), before the tick goes to the subscribers. Default none.
   */
  readonly onRead?: (instances: readonly Instance[], sentAtMs: number) => void;
}

/** Traffic per instance, derived from the registry's counters. */
export interface TrafficSampler {
  readonly stepMs: number;
  /** Every instance's points of the last `seconds`, oldest first. */
  series(
    seconds: number,
  ): Record<string, { serviceType: string; points: TrafficPoint[] }>;
  /** One instance's points of the last `seconds`, oldest first. */
  points(instanceId: string, seconds: number): TrafficPoint[];
  subscribe(listener: (tick: TrafficTick) => void): () => void;
  stop(): Promise<void>;
}

/** The counters of one instance at one read. */
interface Reading {
  readonly atMs: number;
  readonly requests: number;
  readonly errors: number;
  readonly buckets: readonly number[];
}

interface Series {
  readonly serviceType: string;
  readonly points: RingBuffer<TrafficPoint>;
  last: Reading | undefined;
}

/**
 * Reads ListInstances every step and turns the growth of each instance's
 * cumulative counters into requests per second, error rate and p99
 * latency (from its latency histogram), keeping a window of points per
 * instance. Counters that shrank mean the registry started counting
 * afresh (it restarted): that step is skipped, not reported as negative.
 */
export function startTrafficSampler(options: TrafficSamplerOptions): TrafficSampler {
  const stepMs = Math.max(100, options.stepMs ?? 2000);
  const windowMs = options.windowMs ?? 600_000;
  const capacity = Math.max(1, Math.ceil(windowMs / stepMs));
  const series = new Map<string, Series>();
  const listeners = new Set<(tick: TrafficTick) => void>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failing = false;
  let inFlight: Promise<void> = Promise.resolve();

  const sample = async () => {
    try {
      const sentAtMs = Date.now();
      const { instances } = await options.registry.listInstances(
        {},
        { timeoutMs: stepMs },
      );
      options.onRead?.(instances, sentAtMs);
      const tick = record(series, instances, Date.now(), capacity);
      forgetStale(series, tick.t - windowMs);
      if (failing) options.logger.info("traffic sampling resumed");
      failing = false;
      for (const listener of listeners) listener(tick);
    } catch (err) {
      if (!failing) {
        options.logger.warn({ err: ConnectError.from(err) }, "traffic sample failed");
      }
      failing = true;
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = sample().finally(schedule);
    }, stepMs);
  };
  inFlight = sample().finally(schedule);

  const pointsSince = (s: Series, seconds: number) => {
    const fromMs = Date.now() - seconds * 1000;
    return s.points.toArray((point) => point.t >= fromMs);
  };
  return {
    stepMs,
    series(seconds) {
      const out: Record<string, { serviceType: string; points: TrafficPoint[] }> = {};
      for (const [id, s] of series) {
        out[id] = { serviceType: s.serviceType, points: pointsSince(s, seconds) };
      }
      return out;
    },
    points(instanceId, seconds) {
      const s = series.get(instanceId);
      return s ? pointsSince(s, seconds) : [];
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}

function record(
  series: Map<string, Series>,
  instances: readonly Instance[],
  atMs: number,
  capacity: number,
): TrafficTick {
  const tick: TrafficTick = { t: atMs, instances: {} };
  for (const instance of instances) {
    let s = series.get(instance.id);
    if (s === undefined) {
      s = {
        serviceType: instance.serviceType,
        points: new RingBuffer(capacity),
        last: undefined,
      };
      series.set(instance.id, s);
    }
    const reading = readingOf(instance, atMs);
    const point = s.last ? pointBetween(s.last, reading, instance) : undefined;
    s.last = reading;
    if (point === undefined) continue;
    s.points.push(point);
    tick.instances[instance.id] = {
      rps: point.rps,
      errorRate: point.errorRate,
      p99Ms: point.p99Ms,
    };
  }
  return tick;
}

function readingOf(instance: Instance, atMs: number): Reading {
  const stats = instance.stats;
  return {
    atMs,
    requests: Number(stats?.requests ?? 0n),
    errors: Number(stats?.errors ?? 0n),
    buckets: (stats?.latencyBucketCounts ?? []).map(Number),
  };
}

function pointBetween(
  before: Reading,
  after: Reading,
  instance: Instance,
): TrafficPoint | undefined {
  const requests = after.requests - before.requests;
  const errors = after.errors - before.errors;
  const seconds = (after.atMs - before.atMs) / 1000;
  if (requests < 0 || errors < 0 || seconds <= 0) return undefined;
  const bucketDeltas = after.buckets.map((count, i) => count - (before.buckets[i] ?? 0));
  const bounds = instance.stats?.latencyBucketUpperMs ?? [];
  const p99 = bucketDeltas.some((d) => d < 0)
    ? undefined
    : latencyQuantileMs(bounds, bucketDeltas, 0.99);
  return {
    t: after.atMs,
    rps: requests / seconds,
    errorRate: requests > 0 ? Math.min(1, errors / requests) : 0,
    p99Ms: p99 === undefined ? null : Math.round(p99 * 100) / 100,
  };
}

/** Drops the series of instances whose newest point left the window. */
function forgetStale(series: Map<string, Series>, oldestMs: number): void {
  for (const [id, s] of series) {
    const newest = s.last?.atMs ?? 0;
    if (newest < oldestMs) series.delete(id);
  }
}
