import { Agent } from "node:http";
import { Writable } from "node:stream";
import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { LoggerService } from "@microtodo/api/logger";
import { Counter, Gauge, type Registry } from "prom-client";
import { LogShipperBuffer } from "./log-shipper-buffer.js";
import { pinoLineToRecord, type RecordDefaults } from "./log-shipper-record.js";

/** Options of createLogShipper. */
export interface LogShipperOptions {
  /** Service type for lines without a `service` key. */
  readonly service: string;
  /** Instance for lines without an `instance` key. */
  readonly instance: string;
  /**
   * A logger instance's base URL ("http://host:port"), or undefined when
   * none is known. Called before the first Push and again after each
   * failure, then with the URL that failed so a cache can drop it, e.g.
   * `(failed) => { if (failed) registry.forget("logger"); return registry.resolveUrl("logger"); }`.
   */
  readonly resolveLoggerUrl: (failedUrl?: string) => Promise<string | undefined>;
  /** Most records held while the logger is away; past it the oldest are dropped. Default 10,000. */
  readonly capacityRecords?: number;
  /** Most bytes of JSON lines held, the same way. Default 16 MiB. */
  readonly capacityBytes?: number;
  /** Records per Push. Default 500. */
  readonly batchRecords?: number;
  /** Most bytes of JSON lines per Push. Default 2 MiB. */
  readonly batchBytes?: number;
  /** How long a partial batch waits for more records. Default 1,000. */
  readonly flushIntervalMs?: number;
  /** Deadline of one Push. Default 5,000. */
  readonly pushTimeoutMs?: number;
  /** Delay before the first retry, doubled per failure up to maxBackoffMs. Default 250. */
  readonly minBackoffMs?: number;
  /** Longest delay between retries. Default 30,000. */
  readonly maxBackoffMs?: number;
  /** Where the shipper's metrics are registered. Default: a registry of its own (not scraped). */
  readonly metricsRegistry?: Registry;
  /**
   * Told once when the buffer starts dropping records, until a Push
   * empties it again. It must not log through the logger this shipper
   * feeds. Default: one JSON line on stderr.
   */
  readonly onDropEpisode?: (episode: DropEpisode) => void;
}

/** What onDropEpisode reports. */
export interface DropEpisode {
  readonly service: string;
  readonly instance: string;
  readonly capacityRecords: number;
  /** Why records are not leaving, e.g. "connect ECONNREFUSED 127.0.0.1:8084". */
  readonly lastFailure: string;
}

/** A pino destination that ships records to the logger service. */
export interface LogShipper extends Writable {
  /** Records waiting to be sent. */
  readonly bufferedRecords: number;
  /** Records dropped because the buffer was full, since creation. */
  readonly droppedRecords: number;
  /** Sends everything buffered; true when it all left before the deadline. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Flushes within the deadline, then stops; later writes are ignored. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * A Writable for pino (directly or inside pino.multistream) that ships
 * each JSON line to the LoggerService. `write` only appends to a bounded
 * buffer and returns at once: batches leave by count or by time, one
 * Push at a time, and failures back off exponentially and resolve the
 * logger's URL again. When the logger is away the oldest records go
 * first and are counted, so a service never waits on its logs.
 */
export function createLogShipper(options: LogShipperOptions): LogShipper {
  return new LogShipperStream(options);
}

const defaults = {
  capacityRecords: 10_000,
  capacityBytes: 16 * 1024 ** 2,
  batchRecords: 500,
  batchBytes: 2 * 1024 ** 2,
  flushIntervalMs: 1_000,
  pushTimeoutMs: 5_000,
  minBackoffMs: 250,
  maxBackoffMs: 30_000,
};

type Settings = typeof defaults;

class LogShipperStream extends Writable implements LogShipper {
  readonly #settings: Settings;
  readonly #options: LogShipperOptions;
  readonly #defaults: RecordDefaults;
  readonly #buffer: LogShipperBuffer;
  readonly #metrics: ShipperMetrics;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 });
  readonly #abort = new AbortController();
  #partial = "";
  #target: { url: string; client: Client<typeof LoggerService> } | undefined;
  #failedUrl: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerDueAt = 0;
  #oldestBufferedAt = 0;
  #sending = false;
  #flushing = 0;
  #failures = 0;
  #retryAt = 0;
  #lastFailure = "";
  #dropping = false;
  #dropped = 0;
  #closed = false;
  readonly #idleWaiters = new Set<() => void>();

  constructor(options: LogShipperOptions) {
    super({ decodeStrings: false });
    this.#options = options;
    this.#settings = { ...defaults, ...definedOnly(options) };
    this.#defaults = { service: options.service, instance: options.instance };
    this.#buffer = new LogShipperBuffer(
      this.#settings.capacityRecords,
      this.#settings.capacityBytes,
    );
    this.#metrics = shipperMetrics(options.metricsRegistry, () => this.#buffer.length);
  }

  get bufferedRecords(): number {
    return this.#buffer.length;
  }

  get droppedRecords(): number {
    return this.#dropped;
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: () => void): void {
    if (!this.#closed) this.#accept(typeof chunk === "string" ? chunk : String(chunk));
    callback();
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.close().then(() => callback(), callback);
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.#stop();
    callback(err);
  }

  #accept(text: string): void {
    const lines = (this.#partial + text).split("\n");
    this.#partial = lines.pop() ?? "";
    // A line that never ends must not grow without bound.
    if (this.#partial.length > this.#settings.capacityBytes) {
      lines.push(this.#partial);
      this.#partial = "";
    }
    for (const line of lines) {
      if (line.trim() === "") continue;
      if (this.#buffer.length === 0) this.#oldestBufferedAt = Date.now();
      this.#countDropped(this.#buffer.push(line));
    }
    this.#schedule();
  }

  #countDropped(count: number): void {
    if (count === 0) return;
    this.#dropped += count;
    this.#metrics.dropped.inc(count);
    if (this.#dropping) return;
    this.#dropping = true;
    const report = this.#options.onDropEpisode ?? writeDropWarning;
    report({
      service: this.#options.service,
      instance: this.#options.instance,
      capacityRecords: this.#settings.capacityRecords,
      lastFailure: this.#lastFailure || "the logger is slower than this service logs",
    });
  }

  // Arms one timer for the next Push: now when a batch is full or a flush
  // waits, else when the oldest record has waited flushIntervalMs; never
  // before the backoff after a failure has passed.
  #schedule(): void {
    if (this.#sending || this.#closed || this.#buffer.length === 0) return;
    const { batchRecords, flushIntervalMs } = this.#settings;
    const ready = this.#buffer.length >= batchRecords || this.#flushing > 0;
    const dueAt = Math.max(
      ready ? 0 : this.#oldestBufferedAt + flushIntervalMs,
      this.#retryAt,
    );
    if (this.#timer && this.#timerDueAt <= dueAt) return;
    clearTimeout(this.#timer);
    this.#timerDueAt = dueAt;
    this.#timer = setTimeout(() => this.#sendNext(), Math.max(0, dueAt - Date.now()));
    this.#timer.unref();
  }

  #sendNext(): void {
    this.#timer = undefined;
    if (this.#sending || this.#closed) return;
    const lines = this.#buffer.take(
      this.#settings.batchRecords,
      this.#settings.batchBytes,
    );
    if (lines.length === 0) return;
    this.#oldestBufferedAt = Date.now();
    this.#sending = true;
    this.#push(lines)
      .catch((err: unknown) => this.#failed(lines, err))
      .finally(() => {
        this.#sending = false;
        this.#schedule();
        this.#notifyIfIdle();
      });
  }

  async #push(lines: readonly string[]): Promise<void> {
    const client = await this.#client();
    const records = lines.map((line) => pinoLineToRecord(line, this.#defaults));
    const res = await client.push(
      { records },
      { timeoutMs: this.#settings.pushTimeoutMs, signal: this.#abort.signal },
    );
    this.#metrics.shipped.inc(res.stored);
    if (res.rejected.length > 0) this.#metrics.refused.inc(res.rejected.length);
    this.#failures = 0;
    this.#retryAt = 0;
    if (this.#buffer.length === 0) this.#dropping = false;
  }

  async #client(): Promise<Client<typeof LoggerService>> {
    if (this.#target) return this.#target.client;
    const url = await withDeadline(
      this.#options.resolveLoggerUrl(this.#failedUrl),
      this.#settings.pushTimeoutMs,
    );
    if (!url) throw new Error("no logger instance is known");
    const transport = createConnectTransport({
      baseUrl: url,
      httpVersion: "1.1",
      useBinaryFormat: true,
      nodeOptions: { agent: this.#agent },
    });
    this.#target = { url, client: createClient(LoggerService, transport) };
    return this.#target.client;
  }

  #failed(lines: readonly string[], err: unknown): void {
    const error = ConnectError.from(err);
    if (error.code === Code.InvalidArgument) {
      // The logger refused the batch as a whole; sending it again would
      // fail the same way and hold up every later record.
      this.#metrics.refused.inc(lines.length);
      return;
    }
    this.#metrics.failures.inc();
    this.#lastFailure = error.rawMessage;
    this.#failedUrl = this.#target?.url;
    this.#target = undefined;
    this.#failures++;
    const { minBackoffMs, maxBackoffMs } = this.#settings;
    const backoff = Math.min(maxBackoffMs, minBackoffMs * 2 ** (this.#failures - 1));
    this.#retryAt = Date.now() + backoff * (0.5 + Math.random() / 2);
    if (!this.#closed) this.#countDropped(this.#buffer.restore(lines));
  }

  async flush(timeoutMs = 5_000): Promise<boolean> {
    if (this.#isIdle() || this.#closed) return this.#isIdle();
    this.#flushing++;
    this.#schedule();
    try {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.#idleWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        this.#idleWaiters.add(done);
      });
    } finally {
      this.#flushing--;
    }
    return this.#isIdle();
  }

  async close(timeoutMs = 5_000): Promise<void> {
    if (this.#closed) return;
    await this.flush(timeoutMs);
    this.#stop();
  }

  #stop(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    this.#agent.destroy();
    for (const waiter of this.#idleWaiters) waiter();
    this.#idleWaiters.clear();
  }

  #isIdle(): boolean {
    return this.#buffer.length === 0 && !this.#sending;
  }

  #notifyIfIdle(): void {
    if (!this.#isIdle()) return;
    for (const waiter of this.#idleWaiters) waiter();
    this.#idleWaiters.clear();
  }
}

interface ShipperMetrics {
  readonly dropped: Counter;
  readonly shipped: Counter;
  readonly refused: Counter;
  readonly failures: Counter;
}

function shipperMetrics(
  registry: Registry | undefined,
  buffered: () => number,
): ShipperMetrics {
  const registers = registry ? [registry] : [];
  const counter = (name: string, help: string): Counter =>
    (registry?.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help, registers });
  if (!registry?.getSingleMetric("log_shipper_buffered_records")) {
    new Gauge({
      name: "log_shipper_buffered_records",
      help: "Log records waiting to be shipped to the logger.",
      registers,
      collect() {
        this.set(buffered());
      },
    });
  }
  return {
    dropped: counter(
      "log_shipper_dropped_records_total",
      "Log records dropped because the shipping buffer was full.",
    ),
    shipped: counter(
      "log_shipper_shipped_records_total",
      "Log records the logger stored.",
    ),
    refused: counter(
      "log_shipper_refused_records_total",
      "Log records the logger refused.",
    ),
    failures: counter(
      "log_shipper_push_failures_total",
      "Pushes to the logger that failed.",
    ),
  };
}

function withDeadline<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error("resolving the logger's URL timed out")),
      timeoutMs,
    );
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function writeDropWarning(episode: DropEpisode): void {
  // stderr and not the service's logger: that logger feeds this shipper,
  // and a warning about a full buffer must not land in the full buffer.
  const line = {
    level: 40,
    time: Date.now(),
    service: episode.service,
    instance: episode.instance,
    capacityRecords: episode.capacityRecords,
    lastFailure: episode.lastFailure,
    msg: "log shipper buffer full; dropping the oldest records",
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

function definedOnly(options: LogShipperOptions): Partial<Settings> {
  const out: Partial<Settings> = {};
  for (const key of Object.keys(defaults) as (keyof Settings)[]) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
