import { createHash, timingSafeEqual } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";

/** Checks the `authorization` header of a call that changes the catalog. */
export type SecretCheck = (authorization: string | null) => void;

/**
 * Accepts exactly `Bearer <secret>`. Both sides are hashed first so the
 * comparison takes the same time whatever the lengths, and an empty
 * configured secret accepts nothing.
 */
export function createSecretCheck(secret: string): SecretCheck {
  const expected = digest(secret);
  return (authorization) => {
    const presented = authorization?.startsWith("Bearer ")
      ? authorization.slice(7)
      : undefined;
    if (presented === undefined || presented.length === 0) {
      throw new ConnectError(
        "authorization: this call needs the registration secret as a Bearer token",
        Code.Unauthenticated,
      );
    }
    if (secret.length === 0 || !timingSafeEqual(digest(presented), expected)) {
      throw new ConnectError(
        "authorization: the registration secret does not match",
        Code.Unauthenticated,
      );
    }
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
