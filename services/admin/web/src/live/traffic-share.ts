import type { Instance, TrafficPoint } from "../api/types";

/**
 * Each instance's share of its type's requests over the newest `windowMs`
 * of samples, 0..1, or undefined when the type served nothing in that
 * window. The window ends at the newest sample seen, not at the browser's
 * clock, so a page that fell behind still compares like with like.
 */
export function trafficShares(
  instances: readonly Instance[],
  traffic: ReadonlyMap<string, readonly TrafficPoint[]>,
  windowMs: number,
): Map<string, number | undefined> {
  let newest = 0;
  for (const instance of instances) {
    const last = traffic.get(instance.id)?.at(-1);
    if (last && last.t > newest) newest = last.t;
  }
  const recent = new Map<string, number>();
  const totals = new Map<string, number>();
  for (const instance of instances) {
    const points = traffic.get(instance.id) ?? [];
    const sum = points
      .filter((p) => p.t > newest - windowMs)
      .reduce((acc, p) => acc + p.rps, 0);
    recent.set(instance.id, sum);
    totals.set(instance.serviceType, (totals.get(instance.serviceType) ?? 0) + sum);
  }
  const shares = new Map<string, number | undefined>();
  for (const instance of instances) {
    const total = totals.get(instance.serviceType) ?? 0;
    shares.set(
      instance.id,
      total > 0 ? (recent.get(instance.id) ?? 0) / total : undefined,
    );
  }
  return shares;
}
