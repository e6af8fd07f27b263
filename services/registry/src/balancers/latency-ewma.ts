/** How fast a latency EWMA forgets a slow spell, in ms, unless told otherwise: 10000. */
export const DEFAULT_LATENCY_DECAY_MS = 10_000;

/**
 * The next value of a peak-sensitive latency EWMA, for the catalog to store
 * in `Endpoint.latencyEwmaMs` after each response. A sample above the
 * current value is taken at once, so peak-ewma turns away from a slowing
 * instance on its first slow answer; lower samples pull the value down
 * with time constant `decayMs`, so one fast answer does not clear it.
 * `elapsedMs` is the time since the previous update.
 */
export function nextLatencyEwmaMs(
  previousMs: number,
  sampleMs: number,
  elapsedMs: number,
  decayMs: number = DEFAULT_LATENCY_DECAY_MS,
): number {
  if (previousMs <= 0 || sampleMs >= previousMs) return sampleMs;
  const keep = Math.exp(-Math.max(0, elapsedMs) / decayMs);
  return previousMs * keep + sampleMs * (1 - keep);
}
