import type { AccessTokenSigningKey, JsonWebKeySet } from "@microtodo/kit";
import { generateSigningKey, importPrivateSigningKey } from "@microtodo/kit";
import type { JWK } from "jose";
import type { AuthStore, SigningKeyRecord } from "../store/auth-store.js";
import type { KeySealer } from "./key-sealer.js";

/** A verification key as auth publishes it. */
export interface PublishedKey {
  readonly kid: string;
  readonly alg: string;
  readonly publicJwk: JWK;
  readonly createdAtMs: number;
  /** Set once the key stopped signing. */
  readonly retiredAtMs?: number;
}

/** The keys auth signs with and publishes, kept in step with the store. */
export interface SigningKeys {
  /** The key new tokens are signed with: the newest unretired one. */
  signer(): Promise<AccessTokenSigningKey>;
  /** The active key and the retired keys whose tokens may still be valid. */
  published(): Promise<PublishedKey[]>;
  /** published() as a JWKS. */
  jwks(): Promise<JsonWebKeySet>;
  /** Rereads the store now (another replica may have rotated). */
  reload(): Promise<void>;
  /** Starts signing with a new key; the old one stays published for a while. */
  rotate(): Promise<PublishedKey>;
}

/** Options of createSigningKeys. */
export interface SigningKeysOptions {
  readonly store: AuthStore;
  readonly sealer: KeySealer;
  /** How long a retired key stays published; cover the access-token lifetime and reload lag. */
  readonly retiredKeyPublishMs: number;
  /** How often the store is reread so other replicas' rotations are seen. */
  readonly reloadIntervalMs: number;
  readonly now: () => number;
}

/** Loads the signing keys, creating the first one when the store has none. */
export async function createSigningKeys(
  options: SigningKeysOptions,
): Promise<SigningKeys> {
  const { store, sealer, now } = options;
  let records: SigningKeyRecord[] = [];
  let loadedAtMs = 0;
  const privateKeys = new Map<string, AccessTokenSigningKey>();

  async function reload(): Promise<void> {
    records = await store.listSigningKeys();
    loadedAtMs = now();
  }
  async function fresh(): Promise<SigningKeyRecord[]> {
    if (now() - loadedAtMs >= options.reloadIntervalMs) await reload();
    return records;
  }
  async function newRecord(): Promise<SigningKeyRecord> {
    const key = await generateSigningKey();
    const privateJwk = sealer.seal(key.kid, JSON.stringify(key.privateJwk));
    const publicJwk = JSON.stringify(key.publicJwk);
    return { kid: key.kid, alg: "EdDSA", publicJwk, privateJwk, createdAtMs: now() };
  }
  function importSigner(record: SigningKeyRecord): AccessTokenSigningKey {
    let signer = privateKeys.get(record.kid);
    if (!signer) {
      const jwk = JSON.parse(sealer.open(record.kid, record.privateJwk)) as JWK;
      signer = { kid: record.kid, privateKey: importPrivateSigningKey(jwk) };
      privateKeys.set(record.kid, signer);
    }
    return signer;
  }

  async function published(): Promise<PublishedKey[]> {
    const cutoffMs = now() - options.retiredKeyPublishMs;
    return (await fresh())
      .filter((r) => r.retiredAtMs === undefined || r.retiredAtMs > cutoffMs)
      .map(toPublished);
  }

  await reload();
  if (records.length === 0) {
    await store.addFirstSigningKey(await newRecord());
    await reload();
  }
  // Fail at start, not at the first login, when the keys cannot be opened.
  importSigner(currentRecord(records));

  return {
    async signer() {
      return importSigner(currentRecord(await fresh()));
    },
    published,
    async jwks() {
      return { keys: (await published()).map((k) => k.publicJwk) };
    },
    reload,
    async rotate() {
      const next = await newRecord();
      await store.rotateSigningKey(next, now());
      await reload();
      return toPublished(next);
    },
  };
}

/** The newest unretired key; the newest of all if every key was retired. */
function currentRecord(records: readonly SigningKeyRecord[]): SigningKeyRecord {
  const active = records.filter((r) => r.retiredAtMs === undefined);
  const pool = active.length > 0 ? active : records;
  const newest = pool.reduce<SigningKeyRecord | undefined>(
    (best, r) => (best === undefined || r.createdAtMs >= best.createdAtMs ? r : best),
    undefined,
  );
  if (!newest) throw new Error("no signing key in the store");
  return newest;
}

function toPublished(record: SigningKeyRecord): PublishedKey {
  return {
    kid: record.kid,
    alg: record.alg,
    publicJwk: JSON.parse(record.publicJwk) as JWK,
    createdAtMs: record.createdAtMs,
    ...(record.retiredAtMs === undefined ? {} : { retiredAtMs: record.retiredAtMs }),
  };
}
