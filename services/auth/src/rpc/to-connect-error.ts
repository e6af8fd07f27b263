import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { AuthErrorKind } from "../accounts/auth-error.js";
import { AuthError } from "../accounts/auth-error.js";

const codes: Record<AuthErrorKind, Code> = {
  invalid_argument: Code.InvalidArgument,
  already_exists: Code.AlreadyExists,
  unauthenticated: Code.Unauthenticated,
  permission_denied: Code.PermissionDenied,
  resource_exhausted: Code.ResourceExhausted,
  failed_precondition: Code.FailedPrecondition,
};

/**
 * The one place where a failure becomes what the caller sees. AuthErrors
 * keep their message; a wait is also sent as `retry-after` (seconds).
 * Anything unexpected is logged and answered as a bare Internal error.
 */
export function toConnectError(err: unknown, logger: Logger, rpc: string): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof AuthError) {
    const metadata: Record<string, string> = {};
    if (err.retryAfterMs !== undefined) {
      metadata["retry-after"] = String(Math.ceil(err.retryAfterMs / 1000));
    }
    return new ConnectError(err.message, codes[err.kind], metadata);
  }
  logger.error({ err, rpc }, "rpc failed");
  return new ConnectError("internal error", Code.Internal);
}
