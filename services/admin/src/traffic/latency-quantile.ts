/**
 * The q-quantile (0..1) of latencies counted in buckets: `counts[i]` calls
 * took at most `upperMs[i]` (and more than `upperMs[i - 1]`); the last
 * bound may be +Inf. Interpolates linearly inside the bucket, as
 * Prometheus's histogram_quantile does; a quantile in the +Inf bucket is
 * reported as the last finite bound, the most the buckets can tell.
 * Undefined when nothing was counted.
 */
export function latencyQuantileMs(
  upperMs: readonly number[],
  counts: readonly number[],
  q: number,
): number | undefined {
  let total = 0;
  for (const count of counts) total += count;
  if (total <= 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] ?? 0;
    if (count > 0 && seen + count >= rank) {
      const lower = i === 0 ? 0 : (upperMs[i - 1] ?? 0);
      const upper = upperMs[i] ?? Number.POSITIVE_INFINITY;
      if (!Number.isFinite(upper)) return lower;
      return lower + (upper - lower) * ((rank - seen) / count);
    }
    seen += count;
  }
  return upperMs.findLast((bound) => Number.isFinite(bound));
}
