import type { Endpoint } from "./balancer.js";

// Rescan at least this often, so requests that finished on a quiet type,
// whose picks are too few to trigger a rescan by count, are not counted
// for long (a stale estimate only ever errs on the lenient side).
const RESCAN_AFTER_MS = 1_000;

/**
 * The sum of `activeRequests` over a set, which bounded load needs on
 * every pick but cannot afford to recount at 10,000 endpoints. It is
 * rescanned every n / 8 picks (or second), and counts each pick since as
 * one more request in flight: the error is at most 1/8 request per
 * endpoint for new work, and completions since the scan only make the
 * bound briefly more lenient. Scanning costs 8 reads per pick amortised.
 */
export class ActiveLoadEstimate {
  private scanned = 0;
  private picksSinceScan = Infinity;
  private scannedAtMs = 0;

  /** Forget the last scan (the set changed). */
  reset(): void {
    this.picksSinceScan = Infinity;
  }

  /** Estimated requests in flight, counting the pick being made now as not yet started. */
  total(live: readonly Endpoint[], nowMs: number): number {
    const stale = this.picksSinceScan >= Math.max(1, live.length >>> 3);
    if (
      stale ||
      nowMs - this.scannedAtMs >= RESCAN_AFTER_MS ||
      nowMs < this.scannedAtMs
    ) {
      this.scanned = 0;
      for (const endpoint of live) this.scanned += endpoint.activeRequests;
      this.scannedAtMs = nowMs;
      this.picksSinceScan = 0;
    }
    return this.scanned + this.picksSinceScan++;
  }
}
