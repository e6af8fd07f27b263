import { createHash, randomBytes } from "node:crypto";

/** Bytes of randomness in a refresh token. */
const REFRESH_TOKEN_BYTES = 32;
const refreshTokenShape = /^[A-Za-z0-9_-]{43}$/;

/** A new opaque refresh token and the SHA-256 that the store keeps instead. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(REFRESH_TOKEN_BYTES).toString("base64url");
  return { token, hash: sha256Hex(token) };
}

/**
 * The stored form of a presented refresh token, or undefined when it cannot
 * be one of ours. A fast hash is enough: the token has 256 random bits.
 */
export function hashRefreshToken(token: string): string | undefined {
  return refreshTokenShape.test(token) ? sha256Hex(token) : undefined;
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
