import { type ClientHttp2Session, connect as connectHttp2 } from "node:http2";
import { Pool } from "undici";
import type { ProxyLogger } from "./proxy-logger.js";
import { InstanceStats, type ProxyMetrics } from "./proxy-metrics.js";
import type { ResolvedProxyOptions } from "./proxy-options.js";
import type { UpstreamTarget } from "./upstream-selector.js";

/** Everything the proxy keeps for one instance: its connections and counters. */
export class UpstreamEntry {
  /** Keep-alive HTTP/1.1 connections, opened on first use. */
  pool: Pool | undefined;
  /** One multiplexed HTTP/2 session, opened on first use. */
  session: ClientHttp2Session | undefined;
  /** The sweep round in which the entry was last used. */
  usedInRound = 0;
  readonly origin: string;

  constructor(
    readonly target: UpstreamTarget,
    readonly stats: InstanceStats,
  ) {
    const host = target.host.includes(":") ? `[${target.host}]` : target.host;
    this.origin = `http://${host}:${target.port}`;
  }
}

const kEntry = Symbol("upstreamEntry");
type TaggedSession = ClientHttp2Session & { [kEntry]?: UpstreamEntry };

// An HTTP/2 window larger than the 64 KiB default lets a stream run at
// full speed over loopback without waiting for WINDOW_UPDATE frames.
const http2WindowBytes = 1 << 20;

/** Pooled connections and counters per instance, created on first use and
 * dropped after `forgetInstanceAfterMs` without a call. */
export class UpstreamTable {
  readonly #entries = new Map<string, UpstreamEntry>();
  readonly #options: ResolvedProxyOptions;
  readonly #metrics: ProxyMetrics;
  readonly #logger: ProxyLogger;
  readonly #sweepTimer: NodeJS.Timeout;
  #round = 0;

  constructor(options: ResolvedProxyOptions, metrics: ProxyMetrics, logger: ProxyLogger) {
    this.#options = options;
    this.#metrics = metrics;
    this.#logger = logger;
    // Sweeps run twice per period; an entry last used two whole rounds
    // before the current one has been idle for at least one period.
    const roundMs = Math.max(1000, Math.floor(options.forgetInstanceAfterMs / 2));
    this.#sweepTimer = setInterval(() => this.#sweep(), roundMs);
    this.#sweepTimer.unref();
  }

  /** The entry for `target`, counted as used now. */
  entry(target: UpstreamTarget, serviceType: string): UpstreamEntry {
    let entry = this.#entries.get(target.id);
    if (entry === undefined) {
      entry = new UpstreamEntry(target, new InstanceStats(serviceType, target.id));
      this.#entries.set(target.id, entry);
      this.#metrics.track(entry.stats);
    }
    entry.usedInRound = this.#round;
    return entry;
  }

  /** The entry's HTTP/1.1 pool, opened on first use. */
  pool(entry: UpstreamEntry): Pool {
    if (entry.pool === undefined) {
      const idleMs = this.#options.upstreamIdleTimeoutMs;
      entry.pool = new Pool(entry.origin, {
        connections: this.#options.maxConnectionsPerInstance,
        pipelining: 1,
        // Capped by keepAliveMaxTimeout too, so a server's `Keep-Alive:
        // timeout=N` hint can never stretch the idle time past ours.
        keepAliveTimeout: idleMs,
        keepAliveMaxTimeout: idleMs,
        connectTimeout: this.#options.upstreamConnectTimeoutMs,
        headersTimeout: this.#options.upstreamHeadersTimeoutMs,
        // Streams may be quiet for minutes; call deadlines bound them.
        bodyTimeout: 0,
      });
    }
    return entry.pool;
  }

  /** The entry's HTTP/2 session, (re)opened when missing or closing. */
  session(entry: UpstreamEntry): ClientHttp2Session {
    const current = entry.session;
    if (current !== undefined && !current.closed && !current.destroyed) {
      return current;
    }
    const session: TaggedSession = connectHttp2(entry.origin, {
      settings: { enablePush: false, initialWindowSize: http2WindowBytes },
    });
    session[kEntry] = entry;
    session.on("connect", onSessionConnect);
    // Streams on the session see the error too and answer their calls; this
    // listener logs it and keeps an unhandled 'error' from killing the process.
    session.on("error", (err: Error) => {
      this.#logger.debug(
        { instance: entry.target.id, err },
        "proxy upstream session failed",
      );
    });
    session.on("goaway", onSessionGone);
    session.on("close", onSessionGone);
    session.setTimeout(this.#options.upstreamIdleTimeoutMs, onSessionIdle);
    entry.session = session;
    return session;
  }

  /** Closes every pooled connection; in-flight calls finish first. */
  async close(): Promise<void> {
    clearInterval(this.#sweepTimer);
    const closing: Promise<void>[] = [];
    for (const entry of this.#entries.values()) {
      closing.push(closeEntry(entry));
    }
    this.#entries.clear();
    await Promise.all(closing);
  }

  #sweep(): void {
    const previous = this.#round;
    this.#round++;
    for (const [id, entry] of this.#entries) {
      if (entry.usedInRound <= previous - 2 && entry.stats.active === 0) {
        this.#entries.delete(id);
        this.#metrics.forget(entry.stats);
        void closeEntry(entry);
        this.#logger.debug({ instance: id }, "proxy forgot idle instance");
      }
    }
  }
}

function onSessionConnect(this: ClientHttp2Session): void {
  this.setLocalWindowSize(http2WindowBytes);
}

function onSessionGone(this: TaggedSession): void {
  const entry = this[kEntry];
  if (entry !== undefined && entry.session === this) {
    entry.session = undefined;
  }
}

// Closing lets streams still open on the session finish.
function onSessionIdle(this: ClientHttp2Session): void {
  this.close();
}

async function closeEntry(entry: UpstreamEntry): Promise<void> {
  const session = entry.session;
  entry.session = undefined;
  if (session !== undefined && !session.destroyed) {
    await new Promise<void>((resolve) => session.close(resolve));
  }
  const pool = entry.pool;
  entry.pool = undefined;
  await pool?.close();
}
