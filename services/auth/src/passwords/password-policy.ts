import { dictionary } from "@zxcvbn-ts/language-common";
import { AuthError } from "../accounts/auth-error.js";

/** Fewest characters (code points) a new password may have. */
export const PASSWORD_MIN_CHARS = 8;
/** Most UTF-8 bytes any password may have; bounds the hashing work per request. */
export const PASSWORD_MAX_BYTES = 1024;

let commonPasswords: ReadonlySet<string> | undefined;

/**
 * The common-password list shipped with @zxcvbn-ts/language-common (about
 * 49,000 entries from leaked-password corpora, lower case), decompressed
 * on first use.
 */
export function commonPasswordList(): ReadonlySet<string> {
  commonPasswords ??= new Set(dictionary["passwords-common"]);
  return commonPasswords;
}

/** Refuses a password too long to hash, for any call that takes one. */
export function checkPasswordSize(password: string): void {
  const bytes = Buffer.byteLength(password, "utf8");
  if (bytes > PASSWORD_MAX_BYTES) {
    throw new AuthError(
      "invalid_argument",
      `password: at most ${PASSWORD_MAX_BYTES} bytes, got ${bytes}`,
    );
  }
}

/**
 * Refuses a new password that is short, too long, common, or the username
 * itself. Any characters are allowed (OWASP: no composition rules).
 */
export function checkNewPassword(password: string, username: string): void {
  const chars = [...password].length;
  if (chars < PASSWORD_MIN_CHARS) {
    throw new AuthError(
      "invalid_argument",
      `password: at least ${PASSWORD_MIN_CHARS} characters, got ${chars}`,
    );
  }
  checkPasswordSize(password);
  const folded = password.normalize("NFKC").toLowerCase();
  if (commonPasswordList().has(folded)) {
    throw new AuthError(
      "invalid_argument",
      "password: too common (found in a list of leaked passwords); choose another",
    );
  }
  if (folded === username) {
    throw new AuthError("invalid_argument", "password: must not be the username");
  }
}
