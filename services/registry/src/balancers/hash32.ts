// Small, fast, dependency-free 32-bit hashing for ring placement. Not for
// anything adversarial: a client choosing keys can aim them at one instance
// anyway, and bounded load is what protects it.

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * FNV-1a over the string's UTF-16 code units, finished with `mix32` because
 * plain FNV-1a leaves similar keys ("user-41", "user-42") close together in
 * the high bits, and the ring is ordered by value.
 */
export function hash32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  }
  return mix32(hash);
}

/** Scrambles all 32 bits of `value` (the murmur3 finaliser); returns an unsigned 32-bit integer. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
