import type { Transport } from "@connectrpc/connect";

/** Where the transport gets tokens (a Session fits). */
export interface AccessTokenSource {
  /** A valid access token, refreshed first if it is about to expire. */
  accessToken(): Promise<string>;
  /** Runs `call` with a valid access token, refreshing once if it is refused. */
  withAccessToken<T>(call: (accessToken: string) => Promise<T>): Promise<T>;
}

/**
 * Wraps a transport so every call carries `authorization: Bearer <token>`.
 * The retry after a refresh lives out here rather than in an interceptor:
 * each attempt is then a whole new request with its own abort signal.
 */
export function createAuthorizedTransport(
  inner: Transport,
  tokens: AccessTokenSource,
): Transport {
  return {
    unary(method, signal, timeoutMs, header, input, contextValues) {
      return tokens.withAccessToken((token) =>
        inner.unary(
          method,
          signal,
          timeoutMs,
          bearer(header, token),
          input,
          contextValues,
        ),
      );
    },
    // A stream's input can be read only once, so streams are never retried.
    async stream(method, signal, timeoutMs, header, input, contextValues) {
      const token = await tokens.accessToken();
      return inner.stream(
        method,
        signal,
        timeoutMs,
        bearer(header, token),
        input,
        contextValues,
      );
    },
  };
}

type HeaderInit = ConstructorParameters<typeof Headers>[0];

function bearer(header: HeaderInit, token: string): Headers {
  const headers = new Headers(header);
  headers.set("authorization", `Bearer ${token}`);
  return headers;
}
