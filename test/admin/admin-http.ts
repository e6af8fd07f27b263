import { expect } from "vitest";

/** The first admin's password in the test stacks (local-stack.ts). */
export const adminPassword = "e2e-admin-password-not-common";

/** An HTTP answer, its body parsed when it is JSON. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** What a test may vary about one request. */
export interface CallInit {
  readonly method?: string;
  readonly body?: unknown;
  readonly cookie?: string;
  readonly headers?: Record<string, string>;
  /** Another admin server than the default one. */
  readonly baseUrl?: string;
}

/** Requests to an admin server, the way its front end makes them. */
export interface AdminHttp {
  call(path: string, init?: CallInit): Promise<Answer>;
  /** Signs in as the first admin; returns the cookie to send back ("microtodo_admin=…"). */
  signIn(baseUrl?: string): Promise<string>;
}

/** Calls go to `defaultBaseUrl()` unless a call names another server. */
export function adminHttp(defaultBaseUrl: () => string): AdminHttp {
  const call = async (path: string, init: CallInit = {}): Promise<Answer> => {
    const method = init.method ?? "GET";
    const headers: Record<string, string> = { ...init.headers };
    if (method !== "GET") headers["content-type"] ??= "application/json";
    if (init.cookie) headers.cookie = init.cookie;
    const response = await fetch(`${init.baseUrl ?? defaultBaseUrl()}${path}`, {
      method,
      headers,
      ...(init.body === undefined
        ? {}
        : {
            body: typeof init.body === "string" ? init.body : JSON.stringify(init.body),
          }),
    });
    const text = await response.text();
    const json = response.headers.get("content-type")?.includes("json");
    return {
      status: response.status,
      headers: response.headers,
      body: json && text !== "" ? JSON.parse(text) : text,
    };
  };
  return {
    call,
    async signIn(baseUrl) {
      const answer = await call("/api/session", {
        method: "POST",
        body: { username: "admin", password: adminPassword },
        ...(baseUrl === undefined ? {} : { baseUrl }),
      });
      expect(answer.status).toBe(200);
      return (answer.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    },
  };
}

/** The session id a cookie from signIn carries. */
export function sessionIdOf(cookie: string): string {
  return cookie.slice(cookie.indexOf("=") + 1);
}

/** Polls `read` until `accept` holds, with a generous deadline. */
export async function until<T>(
  read: () => T | Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Resolves when `promise` does, or rejects naming `what` after `timeoutMs`. */
export async function within<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: not within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
