import { Code, ConnectError } from "@connectrpc/connect";

// Every message starts with the request field it is about, so a client (or
// the REST facade, which shows the same text) can point at the culprit.

/** INVALID_ARGUMENT about one field. */
export function invalidArgument(field: string, problem: string): ConnectError {
  return new ConnectError(`${field}: ${problem}`, Code.InvalidArgument);
}

/** NOT_FOUND about one field: also what a caller gets for a task it may not see. */
export function notFound(field: string, problem: string): ConnectError {
  return new ConnectError(`${field}: ${problem}`, Code.NotFound);
}

/** PERMISSION_DENIED, only ever for a task the caller can see. */
export function permissionDenied(field: string, problem: string): ConnectError {
  return new ConnectError(`${field}: ${problem}`, Code.PermissionDenied);
}

/** ABORTED: the task changed since the client read it. */
export function aborted(field: string, problem: string): ConnectError {
  return new ConnectError(`${field}: ${problem}`, Code.Aborted);
}

/** FAILED_PRECONDITION: the request is valid but the state forbids it. */
export function failedPrecondition(field: string, problem: string): ConnectError {
  return new ConnectError(`${field}: ${problem}`, Code.FailedPrecondition);
}

/** NOT_FOUND for a task id the caller cannot see, whether or not it exists. */
export function taskNotFound(field = "task_id"): ConnectError {
  return notFound(field, "no such task");
}

/** NOT_FOUND for a list the caller does not own, whether or not it exists. */
export function listNotFound(field = "list_id"): ConnectError {
  return notFound(field, "no such list");
}
