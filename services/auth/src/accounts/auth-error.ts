/** What kind of failure an AuthError is; the RPC edge maps it to a Connect code. */
export type AuthErrorKind =
  | "invalid_argument"
  | "already_exists"
  | "unauthenticated"
  | "permission_denied"
  | "resource_exhausted"
  | "failed_precondition";

/**
 * A failure the caller can act on. The message is shown to the caller as
 * is, so it names the field and the limit and never holds a secret.
 */
export class AuthError extends Error {
  override readonly name = "AuthError";

  constructor(
    readonly kind: AuthErrorKind,
    message: string,
    /** Set for resource_exhausted: how long the caller should wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
