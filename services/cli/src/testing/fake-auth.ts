// Test fixture, not shipped: a small in-memory stand-in for the auth
// service, following auth.proto closely enough to exercise the CLI.
import { randomUUID } from "node:crypto";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { type AuthService, Role } from "@microtodo/api/auth";

/** A registered user of the fake. */
export interface FakeUser {
  readonly id: string;
  readonly username: string;
  readonly password: string;
}

interface RefreshGrant {
  readonly userId: string;
  readonly family: string;
  used: boolean;
}

/** Options of createFakeAuth. */
export interface FakeAuthOptions {
  /** Lifetime of access tokens (default 900 000). */
  readonly accessTtlMs?: number;
}

/** The fake and the knobs tests turn. */
export interface FakeAuth {
  readonly impl: Partial<ServiceImpl<typeof AuthService>>;
  /** How many times each RPC was called. */
  readonly calls: { login: number; refresh: number; logout: number };
  /** The user behind a currently valid access token. */
  userFor(accessToken: string): FakeUser | undefined;
  findUser(username: string): FakeUser | undefined;
  /** Refuses every access token issued so far, as after a key rotation. */
  revokeAccessTokens(): void;
  /** Refuses every refresh token issued so far, as after a logout elsewhere. */
  revokeRefreshTokens(): void;
  /** Changes the lifetime of access tokens issued from now on. */
  setAccessTtlMs(ms: number): void;
}

/** A fresh fake with no users. */
export function createFakeAuth(options: FakeAuthOptions = {}): FakeAuth {
  let accessTtlMs = options.accessTtlMs ?? 900_000;
  const users = new Map<string, FakeUser>();
  const access = new Map<string, { userId: string; expiresAtMs: number }>();
  const refresh = new Map<string, RefreshGrant>();
  const revokedFamilies = new Set<string>();
  const calls = { login: 0, refresh: 0, logout: 0 };

  const issue = (userId: string, family: string) => {
    const accessToken = `at-${randomUUID()}`;
    const refreshToken = `rt-${randomUUID()}`;
    const expiresAtMs = Date.now() + accessTtlMs;
    access.set(accessToken, { userId, expiresAtMs });
    refresh.set(refreshToken, { userId, family, used: false });
    return {
      accessToken,
      accessTokenExpiresAt: timestampFromMs(expiresAtMs),
      refreshToken,
      refreshTokenExpiresAt: timestampFromMs(Date.now() + 30 * 86_400_000),
      tokenType: "Bearer",
    };
  };
  const userMessage = (user: FakeUser) => ({
    id: user.id,
    username: user.username,
    roles: [Role.USER],
  });
  const userFor = (token: string) => {
    const grant = access.get(token);
    if (!grant || grant.expiresAtMs <= Date.now()) return undefined;
    return [...users.values()].find((u) => u.id === grant.userId);
  };

  const impl: Partial<ServiceImpl<typeof AuthService>> = {
    register(req) {
      const username = req.username.toLowerCase();
      if (username.length < 3)
        throw new ConnectError("username: at least 3", Code.InvalidArgument);
      if (req.password.length < 8) {
        throw new ConnectError("password: at least 8 characters", Code.InvalidArgument);
      }
      if (users.has(username))
        throw new ConnectError("username taken", Code.AlreadyExists);
      const user = { id: `u-${randomUUID()}`, username, password: req.password };
      users.set(username, user);
      return { user: userMessage(user) };
    },
    login(req) {
      calls.login++;
      const user = users.get(req.username.toLowerCase());
      if (!user || user.password !== req.password) {
        throw new ConnectError("wrong username or password", Code.Unauthenticated);
      }
      return { tokens: issue(user.id, randomUUID()), user: userMessage(user) };
    },
    refresh(req) {
      calls.refresh++;
      const grant = refresh.get(req.refreshToken);
      if (!grant || revokedFamilies.has(grant.family)) {
        throw new ConnectError("refresh token not valid", Code.Unauthenticated);
      }
      if (grant.used) {
        revokedFamilies.add(grant.family);
        throw new ConnectError(
          "refresh token reused; session revoked",
          Code.Unauthenticated,
        );
      }
      grant.used = true;
      return { tokens: issue(grant.userId, grant.family) };
    },
    logout(req) {
      calls.logout++;
      const grant = refresh.get(req.refreshToken);
      if (grant) revokedFamilies.add(grant.family);
      return {};
    },
    authenticate(req) {
      const user = userFor(req.accessToken);
      if (!user) throw new ConnectError("access token not valid", Code.Unauthenticated);
      const expiresAtMs = access.get(req.accessToken)?.expiresAtMs ?? 0;
      return {
        userId: user.id,
        username: user.username,
        roles: [Role.USER],
        expiresAt: timestampFromMs(expiresAtMs),
      };
    },
  };

  return {
    impl,
    calls,
    userFor,
    findUser: (username) => users.get(username.toLowerCase()),
    revokeAccessTokens: () => access.clear(),
    revokeRefreshTokens: () => {
      for (const grant of refresh.values()) revokedFamilies.add(grant.family);
    },
    setAccessTtlMs: (ms) => {
      accessTtlMs = ms;
    },
  };
}
