import { AuthError } from "../accounts/auth-error.js";

/** Shortest and longest username, in characters after normalisation. */
export const USERNAME_MIN_CHARS = 3;
export const USERNAME_MAX_CHARS = 64;

const allowed = /^[\p{L}\p{N}._-]+$/u;

/** Unicode NFKC then lower case, so "Alice" and "ａｌｉｃｅ" are one name. */
export function normalizeUsername(raw: string): string {
  return raw.normalize("NFKC").toLowerCase();
}

/**
 * The normalised username, or an AuthError naming the rule it breaks:
 * 3 to 64 characters of letters, digits, '.', '_' and '-'.
 */
export function parseUsername(raw: string): string {
  const username = normalizeUsername(raw);
  const chars = [...username].length;
  if (chars < USERNAME_MIN_CHARS || chars > USERNAME_MAX_CHARS) {
    throw new AuthError(
      "invalid_argument",
      `username: must be ${USERNAME_MIN_CHARS} to ${USERNAME_MAX_CHARS} characters, got ${chars}`,
    );
  }
  if (!allowed.test(username)) {
    throw new AuthError(
      "invalid_argument",
      "username: only letters, digits, '.', '_' and '-' are allowed",
    );
  }
  return username;
}

/** Like parseUsername, but undefined instead of an error (for lookups and logins). */
export function tryParseUsername(raw: string): string | undefined {
  try {
    return parseUsername(raw);
  } catch {
    return undefined;
  }
}
