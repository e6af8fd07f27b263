import { randomBytes } from "node:crypto";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import type { AuthService, TokenPair } from "@microtodo/api/auth";
import { hasRole, type Principal, type TokenVerifier } from "@microtodo/kit";
import type { Logger } from "pino";
import {
  ApiError,
  apiErrorFrom,
  permissionDenied,
  unauthenticated,
} from "../http/api-error.js";

/** A signed-in operator. Its tokens never leave the admin server. */
export interface AdminSession {
  readonly id: string;
  readonly username: string;
  roles: readonly string[];
  readonly createdAtMs: number;
  lastUsedAtMs: number;
  /** Server-Sent Event streams open on this session. */
  openStreams: number;
  /** Open dashboards holding the session in use (see AdminSessions.keepAlive). */
  keepAlives: number;
  /** Aborts when the session ends: sign-out, expiry, a refused refresh, shutdown. */
  readonly ended: AbortSignal;
  accessToken: string;
  accessExpiresAtMs: number;
  refreshToken: string;
  /** When auth lets the refresh token lapse on its own; 0 when auth did not say. */
  refreshExpiresAtMs: number;
  refreshing: Promise<void> | undefined;
}

/** What GET and POST /api/session answer. */
export interface SessionView {
  readonly username: string;
  readonly roles: readonly string[];
  readonly expiresAt: string;
}

/** Options of {@link AdminSessions}. */
export interface AdminSessionsOptions {
  /** An auth client on an instance the registry picks. */
  readonly auth: () => Promise<Client<typeof AuthService>>;
  /** Called when an auth call failed, so the next one resolves afresh. */
  readonly onAuthFailure?: (err: unknown) => void;
  /** Checks the access tokens auth issues (signature, expiry, roles). */
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
  /** A session unused this long ends. */
  readonly idleMs: number;
  /** A session ends this long after sign-in. */
  readonly maxMs: number;
  /** Access tokens are refreshed this long before they expire. Default 60000. */
  readonly refreshAheadMs?: number;
  /** Clock, ms since the epoch. Default Date.now. */
  readonly now?: () => number;
}

/**
 * Sessions of signed-in operators, kept in memory: a restart of the admin
 * server signs everyone out, which for a handful of operators is cheaper
 * than a session store, and several admin replicas would each need the
 * operator to sign in (the cookie names a session on one replica only).
 * Each session holds the user's auth tokens; the access token is
 * refreshed before it expires, and a refresh that auth refuses (logout
 * elsewhere, revoked family, admin role gone) ends the session. However a
 * session ends, its `ended` signal aborts, so whatever it holds open (live
 * streams) closes with it.
 */
export class AdminSessions {
  readonly #sessions = new Map<string, AdminSession>();
  readonly #enders = new WeakMap<AdminSession, AbortController>();
  readonly #options: AdminSessionsOptions;
  readonly #now: () => number;
  readonly #refreshAheadMs: number;

  constructor(options: AdminSessionsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#refreshAheadMs = options.refreshAheadMs ?? 60_000;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Logs in with auth and starts a session when the account holds the
   * admin role. `clientAddress` goes to auth as x-forwarded-for, so its
   * brute-force counting sees the browser, not the admin server.
   */
  async signIn(username: string, password: string, clientAddress: string) {
    const headers = { "x-forwarded-for": clientAddress };
    const { tokens } = await this.#callAuth((auth) =>
      auth.login({ username, password }, { headers, timeoutMs: 10_000 }),
    );
    const principal = await this.#principalOf(tokens);
    if (!hasRole(principal, "admin")) {
      await this.#revoke(tokens?.refreshToken ?? "");
      this.#options.logger.info(
        { user: principal.username },
        "sign-in refused: not an admin",
      );
      throw permissionDenied("account lacks the admin role");
    }
    const nowMs = this.#now();
    const ender = new AbortController();
    const session: AdminSession = {
      id: randomBytes(32).toString("base64url"),
      username: principal.username,
      roles: principal.roles,
      createdAtMs: nowMs,
      lastUsedAtMs: nowMs,
      openStreams: 0,
      keepAlives: 0,
      ended: ender.signal,
      accessToken: tokens?.accessToken ?? "",
      accessExpiresAtMs: principal.expiresAtMs,
      refreshToken: tokens?.refreshToken ?? "",
      refreshExpiresAtMs: refreshExpiresAtMs(tokens),
      refreshing: undefined,
    };
    this.#sessions.set(session.id, session);
    this.#enders.set(session, ender);
    this.#options.logger.info({ user: session.username }, "operator signed in");
    return session;
  }

  /**
   * The live session with this id, marked as used; refreshes its access
   * token when due. Rejects 401 when there is none (or it just ended).
   */
  async authenticate(id: string | undefined): Promise<AdminSession> {
    const session = this.peek(id);
    if (session === undefined) throw unauthenticated();
    session.lastUsedAtMs = this.#now();
    await this.#keepFresh(session);
    if (!this.#sessions.has(session.id)) throw unauthenticated("session ended");
    return session;
  }

  /** The live session with this id without marking it used, or undefined. */
  peek(id: string | undefined): AdminSession | undefined {
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    if (session === undefined) return undefined;
    if (this.#now() >= this.expiresAtMs(session)) {
      this.#end(session, "expired");
      return undefined;
    }
    return session;
  }

  /** Ends the session and revokes its refresh token with auth. */
  async signOut(session: AdminSession): Promise<void> {
    this.#remove(session);
    await this.#revoke(session.refreshToken);
    this.#options.logger.info({ user: session.username }, "operator signed out");
  }

  /**
   * Holds the session in use until the returned release is called, for an
   * open dashboard: an operator watching a wall screen makes no requests
   * but is not away. The idle timeout starts again at the release; the
   * absolute lifetime applies throughout.
   */
  keepAlive(session: AdminSession): () => void {
    session.keepAlives++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      session.keepAlives--;
      session.lastUsedAtMs = this.#now();
    };
  }

  /** When the session ends unless used again. */
  expiresAtMs(session: AdminSession): number {
    const lifetimeEndMs = session.createdAtMs + this.#options.maxMs;
    if (session.keepAlives > 0) return lifetimeEndMs;
    return Math.min(session.lastUsedAtMs + this.#options.idleMs, lifetimeEndMs);
  }

  view(session: AdminSession): SessionView {
    return {
      username: session.username,
      roles: [...session.roles],
      expiresAt: new Date(this.expiresAtMs(session)).toISOString(),
    };
  }

  /** Ends expired sessions and refreshes tokens about to expire; run it periodically. */
  async sweep(): Promise<void> {
    const work: Promise<void>[] = [];
    for (const session of [...this.#sessions.values()]) {
      if (this.peek(session.id)) work.push(this.#keepFresh(session));
    }
    await Promise.all(work);
  }

  /**
   * Ends every session, for shutdown, revoking the refresh tokens within
   * `timeoutMs` (default 2000). Revoking is best effort: when the whole
   * stack stops, auth is often gone first, and a token not revoked only
   * lives out its own lifetime, its one copy dying with this process.
   * Failures make one log line, however many sessions there were.
   */
  async close(timeoutMs = 2_000): Promise<void> {
    const sessions = [...this.#sessions.values()];
    for (const session of sessions) this.#remove(session);
    const deadline = AbortSignal.timeout(timeoutMs);
    const failures = await Promise.all(
      sessions.map((session) => this.#tryRevoke(session.refreshToken, deadline)),
    );
    const unrevoked = sessions.filter((_, i) => failures[i] !== undefined);
    if (unrevoked.length > 0) {
      this.#logUnrevoked(
        unrevoked,
        failures.filter((err) => err !== undefined),
      );
    }
  }

  #end(session: AdminSession, reason: string): void {
    if (!this.#remove(session)) return;
    this.#options.logger.info({ user: session.username, reason }, "session ended");
    void this.#revoke(session.refreshToken);
  }

  /** Forgets the session and aborts its `ended` signal; false if it had ended. */
  #remove(session: AdminSession): boolean {
    if (!this.#sessions.delete(session.id)) return false;
    this.#enders.get(session)?.abort();
    return true;
  }

  async #keepFresh(session: AdminSession): Promise<void> {
    if (session.accessExpiresAtMs - this.#now() > this.#refreshAheadMs) return;
    session.refreshing ??= this.#refresh(session).finally(() => {
      session.refreshing = undefined;
    });
    await session.refreshing;
  }

  async #refresh(session: AdminSession): Promise<void> {
    try {
      const { tokens } = await this.#callAuth((auth) =>
        auth.refresh({ refreshToken: session.refreshToken }, { timeoutMs: 5_000 }),
      );
      const principal = await this.#principalOf(tokens);
      session.accessToken = tokens?.accessToken ?? "";
      session.refreshToken = tokens?.refreshToken ?? "";
      session.refreshExpiresAtMs = refreshExpiresAtMs(tokens);
      session.accessExpiresAtMs = principal.expiresAtMs;
      session.roles = principal.roles;
      if (!hasRole(principal, "admin")) this.#end(session, "admin role revoked");
    } catch (err) {
      const error = err instanceof ApiError ? err : apiErrorFrom(err, "auth");
      if (error.status === 401 || error.status === 403) {
        this.#end(session, "refresh refused");
        return;
      }
      // Auth is away: the session lives on while its access token does.
      if (this.#now() < session.accessExpiresAtMs) return;
      throw error;
    }
  }

  async #principalOf(tokens: TokenPair | undefined): Promise<Principal> {
    try {
      return await this.#options.verifier.verify(tokens?.accessToken ?? "");
    } catch (err) {
      throw apiErrorFrom(err, "auth");
    }
  }

  async #callAuth<T>(call: (auth: Client<typeof AuthService>) => Promise<T>): Promise<T> {
    try {
      return await call(await this.#options.auth());
    } catch (err) {
      this.#options.onAuthFailure?.(err);
      throw apiErrorFrom(err, "auth");
    }
  }

  async #revoke(refreshToken: string): Promise<void> {
    const err = await this.#tryRevoke(refreshToken);
    // The refresh token still ends with its family's lifetime.
    if (err) this.#options.logger.warn({ err }, "revoking a session failed");
  }

  /** Asks auth to revoke the token; the failure, or undefined when it did. */
  async #tryRevoke(
    refreshToken: string,
    signal?: AbortSignal,
  ): Promise<ConnectError | undefined> {
    if (refreshToken === "") return undefined;
    try {
      const auth = await beforeAbort(this.#options.auth(), signal);
      await auth.logout({ refreshToken }, { timeoutMs: 5_000, signal });
      return undefined;
    } catch (err) {
      this.#options.onAuthFailure?.(err);
      return ConnectError.from(err);
    }
  }

  #logUnrevoked(unrevoked: readonly AdminSession[], errors: readonly ConnectError[]) {
    const latestMs = Math.max(...unrevoked.map((s) => s.refreshExpiresAtMs));
    const fields = {
      sessions: unrevoked.length,
      refreshTokensExpireBy: latestMs > 0 ? new Date(latestMs).toISOString() : undefined,
    };
    // Auth gone or not answering is the usual case when everything stops
    // at once: nobody needs to act, and a stack trace per session is noise.
    const refusal = errors.find((err) => !unreachableCodes.has(err.code));
    if (refusal === undefined) {
      this.#options.logger.info(
        fields,
        `${notRevoked}: auth unavailable; ${expireAlone}`,
      );
      return;
    }
    this.#options.logger.warn(
      { ...fields, code: codeToString(refusal.code), reason: refusal.rawMessage },
      `${notRevoked}: auth refused; ${expireAlone}`,
    );
  }
}

const notRevoked = "could not revoke admin sessions at shutdown";
const expireAlone = "their refresh tokens expire on their own";

/** Codes of a call that never got an answer from auth. */
const unreachableCodes: ReadonlySet<Code> = new Set([
  Code.Unavailable,
  Code.DeadlineExceeded,
  Code.Canceled,
]);

function refreshExpiresAtMs(tokens: TokenPair | undefined): number {
  const expiresAt = tokens?.refreshTokenExpiresAt;
  return expiresAt ? timestampMs(expiresAt) : 0;
}

/** `work`, unless `signal` aborts first: the resolver takes no signal of its own. */
function beforeAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work
      .then(resolve, reject)
      .finally(() => signal.removeEventListener("abort", onAbort));
  });
}
