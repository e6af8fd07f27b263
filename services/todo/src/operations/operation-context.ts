import { Code, ConnectError } from "@connectrpc/connect";
import type { TodoLimits } from "../domain/todo-limits.js";
import type { TodoStore } from "../store/todo-store.js";
import type { UserDirectory } from "../users/user-directory.js";

/** Who is calling: the verified token's subject, and the token to forward. */
export interface Caller {
  readonly userId: string;
  readonly username: string;
  /** Forwarded to auth when sharing needs a username looked up. */
  readonly accessToken: string;
}

/** What every operation works with. */
export interface OperationContext {
  readonly store: TodoStore;
  readonly directory: UserDirectory;
  readonly limits: TodoLimits;
  readonly nowMs: () => number;
  readonly newId: () => string;
}

/** Returned by an attempt that lost a race and should run again on fresh data. */
export const RETRY = Symbol("retry");

// Each failed attempt means another write to the same task or gap won, and
// each of those writes happens once, so attempts are bounded by the number
// of concurrent writers; this cap only stops a livelock from spinning.
const MAX_ATTEMPTS = 200;

/** Runs a read-check-write attempt until it does not lose a race. */
export async function withRetries<T>(
  field: string,
  attempt: () => Promise<T | typeof RETRY>,
): Promise<T> {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const outcome = await attempt();
    if (outcome !== RETRY) return outcome;
  }
  throw new ConnectError(
    `${field}: too many concurrent changes to this task or list; try again`,
    Code.Aborted,
  );
}
