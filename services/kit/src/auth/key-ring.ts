import type { KeyObject } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import type { JWK } from "jose";
import { importPublicVerificationKey } from "./signing-key.js";

/** A JSON Web Key Set, as served at /.well-known/jwks.json. */
export interface JsonWebKeySet {
  readonly keys: readonly JWK[];
}

/** Where a verifier gets its keys (auth's JWKS, or auth's own store). */
export type KeySource = () => Promise<JsonWebKeySet>;

/** Timing of key fetches. */
export interface KeyRingOptions {
  readonly keySource: KeySource;
  /** Least time between two fetches caused by unknown kids; default 5000. */
  readonly refetchMinIntervalMs: number;
  /** Age after which keys are refreshed in the background; default 600000. */
  readonly maxKeyAgeMs: number;
  /** Called with the kids that disappeared from the set after a fetch. */
  readonly onKeysRemoved: (kids: readonly string[]) => void;
  readonly now: () => number;
}

/** The cached verification keys, fetched lazily. */
export interface KeyRing {
  /** The key for a kid, fetching the set again when it is unknown (rate-limited). */
  find(kid: string): Promise<KeyObject | undefined>;
}

/** Least time between two fetches while no key set was ever loaded. */
const FAILED_FETCH_RETRY_MS = 1_000;

/** Creates the key cache behind a TokenVerifier. */
export function createKeyRing(options: KeyRingOptions): KeyRing {
  let keys: Map<string, KeyObject> | undefined;
  let fetchedAtMs = 0;
  // Only refetches caused by unknown kids count against the rate limit, so a
  // rotation right after the first load is still picked up.
  let lastKidRefetchMs = Number.NEGATIVE_INFINITY;
  let inflight: Promise<void> | undefined;
  let lastFailure: { atMs: number; err: unknown } | undefined;

  function refresh(): Promise<void> {
    inflight ??= (async () => {
      try {
        const next = toKeyMap(await options.keySource());
        const removed = keys ? [...keys.keys()].filter((kid) => !next.has(kid)) : [];
        keys = next;
        fetchedAtMs = options.now();
        if (removed.length > 0) options.onKeysRemoved(removed);
      } catch (err) {
        lastFailure = { atMs: options.now(), err };
        throw err;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  async function firstLoad(): Promise<void> {
    // While the source is down, repeat its last failure for a moment instead
    // of letting every request hit it.
    const failure = lastFailure;
    if (failure && options.now() - failure.atMs < FAILED_FETCH_RETRY_MS)
      throw failure.err;
    await (inflight ?? refresh());
  }

  async function loaded(): Promise<Map<string, KeyObject>> {
    if (keys === undefined) {
      try {
        await firstLoad();
      } catch (err) {
        const message = "cannot fetch the token signing keys";
        throw new ConnectError(message, Code.Unavailable, undefined, undefined, err);
      }
    } else if (
      options.now() - fetchedAtMs > options.maxKeyAgeMs &&
      inflight === undefined
    ) {
      // Stale keys still verify while the refresh runs; a failed refresh keeps them.
      refresh().catch(() => undefined);
    }
    return keys ?? new Map();
  }

  return {
    async find(kid) {
      const known = (await loaded()).get(kid);
      if (known) return known;
      if (inflight) {
        await inflight.catch(() => undefined);
      } else if (options.now() - lastKidRefetchMs >= options.refetchMinIntervalMs) {
        lastKidRefetchMs = options.now();
        await refresh().catch(() => undefined);
      }
      return keys?.get(kid);
    },
  };
}

function toKeyMap(set: JsonWebKeySet): Map<string, KeyObject> {
  const map = new Map<string, KeyObject>();
  for (const jwk of Array.isArray(set?.keys) ? set.keys : []) {
    const key =
      typeof jwk.kid === "string" ? importPublicVerificationKey(jwk) : undefined;
    if (key && jwk.kid) map.set(jwk.kid, key);
  }
  return map;
}
