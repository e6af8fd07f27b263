import type { Endpoint } from "./balancer.js";
import { hash32, mix32 } from "./hash32.js";

/** How the ring is sized (see the ringHash options). */
export interface HashRingSizing {
  ringHashVnodesPerEndpoint: number;
  ringHashMaxRingSize: number;
}

// While sorting, each point is packed as hash * 2^21 + position in one
// float64 (exact below 2^53), so a native numeric sort orders both.
const POSITION_SPAN = 2 ** 21;

// Lookup buckets: about one per point, at most 2^16 (256 KiB of index).
const MAX_BUCKET_BITS = 16;

/**
 * A consistent-hash ring in the ketama manner: every endpoint owns virtual
 * nodes in proportion to its weight, placed by hashing its id, so a set
 * change moves only the keys of the endpoints that came, went or changed
 * weight. Lookup jumps by the hash's top bits to a bucket of a few points
 * and binary-searches only those, instead of all of a large ring.
 */
export class HashRing {
  /** Sorted point hashes. */
  readonly points: Uint32Array;
  /** Live position owning each point. */
  readonly owners: Int32Array;
  // bucketStarts[b] is the first point whose top bits are b or more.
  private readonly bucketStarts: Int32Array;
  private readonly bucketShift: number;

  constructor(live: readonly Endpoint[], weights: Float64Array, sizing: HashRingSizing) {
    const counts = vnodeCounts(weights, sizing);
    const packed = new Float64Array(counts.reduce((sum, count) => sum + count, 0));
    let next = 0;
    live.forEach((endpoint, position) => {
      const idHash = hash32(endpoint.id);
      for (let vnode = 0; vnode < counts[position]; vnode++) {
        packed[next++] = vnodeHash(idHash, vnode) * POSITION_SPAN + position;
      }
    });
    packed.sort();
    this.points = new Uint32Array(packed.length);
    this.owners = new Int32Array(packed.length);
    packed.forEach((value, index) => {
      const point = Math.floor(value / POSITION_SPAN);
      this.points[index] = point;
      this.owners[index] = value - point * POSITION_SPAN;
    });
    const bucketBits = Math.min(
      MAX_BUCKET_BITS,
      Math.ceil(Math.log2(this.points.length + 1)),
    );
    this.bucketShift = 32 - bucketBits;
    this.bucketStarts = bucketStarts(this.points, bucketBits);
  }

  /** Index of the first point at or after `hash`, wrapping past the end to 0. */
  firstAtOrAfter(hash: number): number {
    const points = this.points;
    const bucket = hash >>> this.bucketShift;
    let low = this.bucketStarts[bucket];
    let high = this.bucketStarts[bucket + 1];
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (points[middle] < hash) low = middle + 1;
      else high = middle;
    }
    return low === points.length ? 0 : low;
  }
}

function bucketStarts(points: Uint32Array, bucketBits: number): Int32Array {
  const shift = 32 - bucketBits;
  const starts = new Int32Array((1 << bucketBits) + 1);
  let index = 0;
  for (let bucket = 0; bucket < starts.length; bucket++) {
    while (index < points.length && points[index] >>> shift < bucket) index++;
    starts[bucket] = index;
  }
  return starts;
}

// An endpoint's count depends on its weight against the mean, not on how
// many endpoints there are, so with equal weights a set change leaves the
// others' points where they were. Only a ring at its size cap scales all.
function vnodeCounts(weights: Float64Array, sizing: HashRingSizing): number[] {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const perWeight = Math.min(
    (sizing.ringHashVnodesPerEndpoint * weights.length) / total,
    sizing.ringHashMaxRingSize / total,
  );
  return Array.from(weights, (weight) => Math.max(1, Math.round(weight * perWeight)));
}

// Successive vnodes of one endpoint: distinct inputs (k + 1 times an odd
// constant never repeats mod 2^32) through a bijective mixer.
function vnodeHash(idHash: number, vnode: number): number {
  return mix32(idHash ^ Math.imul(vnode + 1, 0x9e3779b1));
}
