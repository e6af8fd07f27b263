import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AuthService, type LoginResponse } from "@microtodo/api/auth";
import { TodoService } from "@microtodo/api/todo";
import {
  type AccessTokenSource,
  createAuthorizedTransport,
} from "./authorized-transport.js";
import type { CredentialsStore, StoredSession } from "./credentials-store.js";
import { storedFromTokens } from "./stored-session.js";
import { createTokenKeeper } from "./token-keeper.js";

/** Options of createSession. */
export interface SessionOptions {
  /** The registry's public listener, normalised. */
  readonly registryUrl: string;
  readonly store: CredentialsStore;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Refresh an access token that expires within this (default 30 000). */
  readonly refreshMarginMs?: number;
  /** Deadline of each RPC (default 15 000). */
  readonly callTimeoutMs?: number;
}

/** Clients for one registry plus the signed-in user's tokens. */
export interface Session extends AccessTokenSource {
  readonly registryUrl: string;
  /** AuthService without credentials (Register, Login, Refresh, ...). */
  readonly auth: Client<typeof AuthService>;
  /**
   * TodoService; each call carries a fresh access token and is tried once
   * more after a refresh when the server answers UNAUTHENTICATED.
   */
  readonly todo: Client<typeof TodoService>;
  /** The stored sign-in for this registry, if any. */
  current(): Promise<StoredSession | undefined>;
  /** Keeps the tokens of a successful Login. */
  saveLogin(response: LoginResponse): Promise<StoredSession>;
  /** Drops the stored sign-in and returns what it was. */
  forget(): Promise<StoredSession | undefined>;
}

/** Builds the clients over Connect on HTTP/1.1; nothing connects until a call. */
export function createSession(options: SessionOptions): Session {
  const { registryUrl, store } = options;
  const transport = createConnectTransport({
    baseUrl: registryUrl,
    httpVersion: "1.1",
    useBinaryFormat: true,
    defaultTimeoutMs: options.callTimeoutMs ?? 15_000,
  });
  const auth = createClient(AuthService, transport);
  const tokens = createTokenKeeper({ ...options, auth });
  return {
    registryUrl,
    auth,
    todo: createClient(TodoService, createAuthorizedTransport(transport, tokens)),
    accessToken: tokens.accessToken,
    withAccessToken: tokens.withAccessToken,
    current: () => store.load(registryUrl),
    async saveLogin(response) {
      const stored = storedFromTokens(response.tokens, {
        userId: response.user?.id ?? "",
        username: response.user?.username ?? "",
      });
      await store.update(registryUrl, async () => stored);
      return stored;
    },
    async forget() {
      let previous: StoredSession | undefined;
      await store.update(registryUrl, async (stored) => {
        previous = stored;
        return undefined;
      });
      return previous;
    },
  };
}
