import { Code, ConnectError } from "@connectrpc/connect";

/** Why an access token was refused. */
export type TokenRejectionReason =
  | "missing"
  | "malformed"
  | "unsupported_algorithm"
  | "unknown_key"
  | "bad_signature"
  | "expired"
  | "not_yet_valid"
  | "wrong_issuer"
  | "wrong_audience"
  | "revoked";

const messages: Record<TokenRejectionReason, string> = {
  missing: "authorization: expected `Bearer <access token>`",
  malformed: "access token is not a well-formed JWT",
  unsupported_algorithm: "access token: only alg EdDSA is accepted",
  unknown_key: "access token is signed by an unknown or revoked key",
  bad_signature: "access token signature is invalid",
  expired: "access token expired",
  not_yet_valid: "access token is not valid yet (nbf)",
  wrong_issuer: "access token has the wrong issuer",
  wrong_audience: "access token has the wrong audience",
  revoked: "access token was revoked",
};

// A side table rather than a ConnectError subclass: ConnectError overrides
// Symbol.hasInstance, so `instanceof` on a subclass would match any
// ConnectError.
const reasons = new WeakMap<ConnectError, TokenRejectionReason>();

/** A ConnectError(Unauthenticated) whose message states the reason. */
export function tokenRejected(reason: TokenRejectionReason): ConnectError {
  const err = new ConnectError(messages[reason], Code.Unauthenticated);
  reasons.set(err, reason);
  return err;
}

/** The reason behind an error thrown by a TokenVerifier, if it is one. */
export function tokenRejectionReason(err: unknown): TokenRejectionReason | undefined {
  return err instanceof ConnectError ? reasons.get(err) : undefined;
}
