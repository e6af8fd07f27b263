import { Code, ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";

/**
 * An error the admin server answers with: an HTTP status and the contract's
 * `{code, message}` body, `code` being a Connect code name.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (retry-after). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The JSON body of the answer. */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** 400 invalid_argument naming the field. */
export function invalidArgument(message: string): ApiError {
  return new ApiError(400, "invalid_argument", message);
}

/** 401: no valid session; the front end goes to sign-in. */
export function unauthenticated(message = "sign in first"): ApiError {
  return new ApiError(401, "unauthenticated", message);
}

/** 403 permission_denied. */
export function permissionDenied(message: string): ApiError {
  return new ApiError(403, "permission_denied", message);
}

/** 404 not_found. */
export function notFound(message: string): ApiError {
  return new ApiError(404, "not_found", message);
}

// The contract's statuses; they differ from Connect's own mapping for
// failed_precondition (400 there) and for the upstream failures below.
const statusByCode: Partial<Record<Code, number>> = {
  [Code.InvalidArgument]: 400,
  [Code.OutOfRange]: 400,
  [Code.Unauthenticated]: 401,
  [Code.PermissionDenied]: 403,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.Aborted]: 409,
  [Code.FailedPrecondition]: 409,
  [Code.ResourceExhausted]: 429,
  [Code.Unavailable]: 503,
  [Code.DeadlineExceeded]: 503,
  [Code.Canceled]: 503,
};

/**
 * Converts what a call to the registry, auth or logger threw, once, at the
 * edge. Client errors keep their code and message (they name the field or
 * the limit); an upstream that is away is 503; anything else an upstream
 * said is 502 with a fixed message, since its text is not for the browser.
 */
export function apiErrorFrom(err: unknown, upstream: string): ApiError {
  if (err instanceof ApiError) return err;
  const error = ConnectError.from(err);
  const status = statusByCode[error.code];
  if (status === undefined) {
    return new ApiError(502, "unavailable", `${upstream} failed`);
  }
  if (status === 503) {
    return new ApiError(503, "unavailable", `${upstream} is unavailable`);
  }
  const retryAfter = error.metadata.get("retry-after");
  return new ApiError(
    status,
    codeToString(error.code),
    error.rawMessage,
    retryAfter ? { "retry-after": retryAfter } : {},
  );
}
