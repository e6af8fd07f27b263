/** Tuning for the proxy; every field is optional and has a default. */
export interface ProxyOptions {
  /** How long a pooled upstream connection may sit idle before the proxy
   * closes it, in ms. Default 4000: instances run Node's default 5 s
   * keepAliveTimeout, so the proxy always closes first and never reuses a
   * socket the instance has just closed. */
  readonly upstreamIdleTimeoutMs?: number;
  /** Time allowed to open a TCP connection to an instance, in ms. Default 2000. */
  readonly upstreamConnectTimeoutMs?: number;
  /** Time an instance has to send response headers, in ms; 0 waits forever.
   * Default 300000 (a call's own deadline usually ends it much sooner). */
  readonly upstreamHeadersTimeoutMs?: number;
  /** Most HTTP/1.1 connections kept open to one instance. Default 128. */
  readonly maxConnectionsPerInstance?: number;
  /** Largest request body buffered so that the call can be retried on
   * another instance, in bytes. Larger and streaming bodies are piped and
   * never retried. Default 65536. */
  readonly maxRetryBodyBytes?: number;
  /** An instance nobody has called for this long loses its pooled
   * connections and its per-instance metric series, in ms. Default 600000. */
  readonly forgetInstanceAfterMs?: number;
}

/** ProxyOptions with every default filled in. */
export type ResolvedProxyOptions = Required<ProxyOptions>;

/** Fills in defaults and rejects values that cannot work. */
export function resolveProxyOptions(options: ProxyOptions = {}): ResolvedProxyOptions {
  const resolved: ResolvedProxyOptions = {
    upstreamIdleTimeoutMs: options.upstreamIdleTimeoutMs ?? 4000,
    upstreamConnectTimeoutMs: options.upstreamConnectTimeoutMs ?? 2000,
    upstreamHeadersTimeoutMs: options.upstreamHeadersTimeoutMs ?? 300_000,
    maxConnectionsPerInstance: options.maxConnectionsPerInstance ?? 128,
    maxRetryBodyBytes: options.maxRetryBodyBytes ?? 65_536,
    forgetInstanceAfterMs: options.forgetInstanceAfterMs ?? 600_000,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`proxy option ${name}: ${value} is not an integer >= 0`);
    }
  }
  if (resolved.upstreamIdleTimeoutMs < 1 || resolved.maxConnectionsPerInstance < 1) {
    throw new RangeError(
      "proxy options upstreamIdleTimeoutMs and maxConnectionsPerInstance must be >= 1",
    );
  }
  return Object.freeze(resolved);
}
