// Closed-loop load for through-registry.ts: a fixed number of callers, each
// making one call after another until the time is up.

/** What one load run measured. */
export interface LoadResult {
  readonly calls: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The first error's message, when any call failed. */
  readonly firstError?: string;
}

/** Runs `callers` loops of `call(caller, i)` for `durationMs`; only
 * successful calls count towards the rate and the latencies. */
export async function runLoad(
  callers: number,
  durationMs: number,
  call: (caller: number, i: number) => Promise<unknown>,
): Promise<LoadResult> {
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      for (let i = 0; performance.now() < end; i++) {
        const t0 = performance.now();
        try {
          await call(caller, i);
          samples.push(performance.now() - t0);
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  const elapsedS = (performance.now() - start) / 1000;
  samples.sort((a, b) => a - b);
  return {
    calls: samples.length,
    errors,
    perSecond: samples.length / elapsedS,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    firstError,
  };
}

/** The p-th percentile of ascending samples. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
