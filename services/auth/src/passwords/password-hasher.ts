import { randomBytes } from "node:crypto";
import type { Algorithm } from "@node-rs/argon2";
import { hash, verify } from "@node-rs/argon2";
import type { PasswordHashParams } from "../store/auth-store.js";

// @node-rs/argon2 declares Algorithm as a const enum, which isolatedModules
// cannot read; 2 is its Argon2id member.
const ARGON2ID = 2 as Algorithm;

/** OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane. */
export const MIN_HASH_PARAMS: PasswordHashParams = Object.freeze({
  memoryKiB: 19_456,
  timeCost: 2,
  parallelism: 1,
});

/** A stored hash and the parameters it was made with. */
export interface StoredPassword {
  readonly passwordHash: string;
  readonly hashParams: PasswordHashParams;
}

/** Argon2id hashing on libuv's thread pool, so the event loop stays free. */
export interface PasswordHasher {
  /** The parameters new hashes get. */
  readonly params: PasswordHashParams;
  hash(password: string): Promise<StoredPassword>;
  /**
   * Checks a password. With no stored hash (unknown user) it checks a dummy
   * hash of the same cost and answers false, so both cases take equal work.
   */
  verify(stored: StoredPassword | undefined, password: string): Promise<boolean>;
  /** Whether a hash was made with weaker parameters than the current ones. */
  needsRehash(params: PasswordHashParams): boolean;
}

/** Creates a hasher; it hashes a random dummy password once, up front. */
export async function createPasswordHasher(
  params: PasswordHashParams,
): Promise<PasswordHasher> {
  const options = {
    algorithm: ARGON2ID,
    memoryCost: params.memoryKiB,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  };
  const dummyHash = await hash(randomBytes(32).toString("base64url"), options);
  return {
    params,
    async hash(password) {
      return { passwordHash: await hash(password, options), hashParams: params };
    },
    async verify(stored, password) {
      try {
        const matches = await verify(stored?.passwordHash ?? dummyHash, password);
        return stored !== undefined && matches;
      } catch {
        // A corrupt stored hash fails closed, like a wrong password.
        return false;
      }
    },
    needsRehash(old) {
      return (
        old.memoryKiB < params.memoryKiB ||
        old.timeCost < params.timeCost ||
        old.parallelism !== params.parallelism
      );
    },
  };
}
