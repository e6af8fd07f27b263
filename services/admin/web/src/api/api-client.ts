import type { LogFilter } from "./types";

/** An error answer of the admin server: its Connect code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let onUnauthenticated: () => void = () => {};

/** What to do when any call answers 401 (the session is gone). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

interface RequestOptions {
  readonly method?: "GET" | "POST" | "PUT" | "DELETE";
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /** Sign-in answers 401 for a wrong password; that is not an expired session. */
  readonly expectUnauthenticated?: boolean;
}

/** Calls the admin server and parses its JSON; throws ApiError on an error status. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET") headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: method === "GET" ? undefined : JSON.stringify(options.body ?? {}),
    signal: options.signal,
  });
  if (res.status === 204) return undefined as T;
  const payload: unknown = await res.json().catch(() => undefined);
  if (res.ok) return payload as T;
  const error = toApiError(res, payload);
  if (res.status === 401 && !options.expectUnauthenticated) onUnauthenticated();
  throw error;
}

function toApiError(res: Response, payload: unknown): ApiError {
  const body = (payload ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof body.code === "string" ? body.code : `http_${res.status}`;
  const message =
    typeof body.message === "string" && body.message !== ""
      ? body.message
      : `${res.status} ${res.statusText}`;
  return new ApiError(res.status, code, message);
}

/** The query string of a log filter (empty values left out). */
export function logQuery(
  filter: LogFilter,
  extra: Record<string, string | undefined> = {},
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filter, ...extra })) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const query = params.toString();
  return query === "" ? "" : `?${query}`;
}

/** A message for any failure, for display next to what failed. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
