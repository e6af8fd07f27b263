import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { Role } from "@microtodo/api/auth";
import {
  generateSigningKey,
  importPrivateSigningKey,
  signAccessToken,
} from "@microtodo/kit";
import { afterEach, describe, expect, it } from "vitest";
import type { AuthHarness, AuthHarnessOptions } from "../testing/auth-harness.js";
import { startAuthHarness } from "../testing/auth-harness.js";

const password = "correct horse battery staple";
const ms = (t: Timestamp | undefined) => (t ? timestampMs(t) : 0);
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

let harness: AuthHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(options: AuthHarnessOptions = {}) {
  harness = await startAuthHarness(options);
  return harness;
}

async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail");
}

async function loggedIn(h: AuthHarness, username = "alice") {
  await h.client.register({ username, password });
  return h.client.login({ username, password });
}

describe("Register", () => {
  it("creates a user with the user role", async () => {
    const { client } = await start();
    const { user } = await client.register({ username: "alice", password });
    expect(user).toMatchObject({ username: "alice", roles: [Role.USER] });
    expect(user?.id).not.toBe("");
  });

  it("refuses a taken username with already_exists", async () => {
    const { client } = await start();
    await client.register({ username: "alice", password });
    const err = await failure(
      client.register({ username: "alice", password: `${password}!` }),
    );
    expect(err.code).toBe(Code.AlreadyExists);
    expect(err.rawMessage).toMatch(/^username:/);
  });

  it("normalises usernames so that Alice, alice and ＡＬＩＣＥ are one user", async () => {
    const { client } = await start();
    const { user } = await client.register({ username: "Alice", password });
    expect(user?.username).toBe("alice");
    const err = await failure(client.register({ username: "ＡＬＩＣＥ", password }));
    expect(err.code).toBe(Code.AlreadyExists);
    const { user: same } = await client.login({ username: "ALICE", password });
    expect(same?.id).toBe(user?.id);
  });

  it("refuses malformed usernames, naming the rule", async () => {
    const { client } = await start();
    for (const username of ["al", "a".repeat(65), "alice smith", "alice@home"]) {
      const err = await failure(client.register({ username, password }));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toMatch(/^username:/);
    }
  });

  it("refuses short, oversized, common and username-equal passwords", async () => {
    const { client } = await start();
    const cases: [string, RegExp][] = [
      ["short1", /at least 8 characters/],
      ["x".repeat(1025), /at most 1024 bytes/],
      ["password123", /too common/],
      ["Qwertyuiop", /too common/],
      ["alice-the-great", /must not be the username/],
    ];
    for (const [weak, message] of cases) {
      const err = await failure(
        client.register({ username: "alice-the-great", password: weak }),
      );
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toMatch(/^password:/);
      expect(err.rawMessage).toMatch(message);
    }
  });
});

describe("Login", () => {
  it("returns a token pair whose access token Authenticate accepts", async () => {
    const h = await start();
    const { tokens, user } = await loggedIn(h);
    expect(tokens?.tokenType).toBe("Bearer");
    expect(tokens?.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ms(tokens?.accessTokenExpiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    const who = await h.client.authenticate({ accessToken: tokens?.accessToken ?? "" });
    expect(who).toMatchObject({
      userId: user?.id,
      username: "alice",
      roles: [Role.USER],
    });
  });

  it("answers a wrong password and an unknown user identically", async () => {
    const h = await start();
    await h.client.register({ username: "alice", password });
    const wrong = await failure(
      h.client.login({ username: "alice", password: "not it at all" }),
    );
    const unknown = await failure(h.client.login({ username: "nobody", password }));
    expect(wrong.code).toBe(Code.Unauthenticated);
    expect(unknown.code).toBe(wrong.code);
    expect(unknown.rawMessage).toBe(wrong.rawMessage);
    expect(wrong.rawMessage).toBe("invalid username or password");
  });

  it("rehashes a password on login when the hash cost was raised", async () => {
    const h = await start();
    await h.client.register({ username: "alice", password });
    const stronger = await start({
      store: h.store,
      settings: { hashParams: { memoryKiB: 19_456, timeCost: 3, parallelism: 1 } },
    });
    await stronger.client.login({ username: "alice", password });
    const user = await stronger.store.findUserByUsername("alice");
    expect(user?.hashParams.timeCost).toBe(3);
    expect(user?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=3,p=1\$/);
    await stronger.client.login({ username: "alice", password });
  });
});

describe("Refresh and Logout", () => {
  it("rotates: the new refresh token works and the old one is refused", async () => {
    const h = await start();
    const { tokens } = await loggedIn(h);
    const first = tokens?.refreshToken ?? "";
    const { tokens: next } = await h.client.refresh({ refreshToken: first });
    expect(next?.refreshToken).not.toBe(first);
    await h.client.authenticate({ accessToken: next?.accessToken ?? "" });
    expect(ms(next?.refreshTokenExpiresAt)).toBe(ms(tokens?.refreshTokenExpiresAt));
    const { tokens: third } = await h.client.refresh({
      refreshToken: next?.refreshToken ?? "",
    });
    expect(third?.accessToken).toBeTruthy();
  });

  it("revokes the whole family when a used refresh token comes back", async () => {
    const h = await start();
    const { tokens } = await loggedIn(h);
    const stolen = tokens?.refreshToken ?? "";
    const { tokens: legit } = await h.client.refresh({ refreshToken: stolen });
    const reuse = await failure(h.client.refresh({ refreshToken: stolen }));
    expect(reuse.code).toBe(Code.Unauthenticated);
    expect(reuse.rawMessage).toMatch(/already used/);
    const after = await failure(
      h.client.refresh({ refreshToken: legit?.refreshToken ?? "" }),
    );
    expect(after.rawMessage).toMatch(/revoked/);
    const access = await failure(
      h.client.authenticate({ accessToken: legit?.accessToken ?? "" }),
    );
    expect(access.rawMessage).toMatch(/revoked/);
  });

  it("logout revokes the session: refresh and Authenticate are refused", async () => {
    const h = await start();
    const { tokens } = await loggedIn(h);
    await h.client.logout({ refreshToken: tokens?.refreshToken ?? "" });
    await h.client.logout({ refreshToken: tokens?.refreshToken ?? "" });
    const refresh = await failure(
      h.client.refresh({ refreshToken: tokens?.refreshToken ?? "" }),
    );
    expect(refresh.code).toBe(Code.Unauthenticated);
    const access = await failure(
      h.client.authenticate({ accessToken: tokens?.accessToken ?? "" }),
    );
    expect(access.code).toBe(Code.Unauthenticated);
    expect(access.rawMessage).toBe("access token was revoked");
  });

  it("refuses a refresh token that was never issued", async () => {
    const h = await start();
    const err = await failure(h.client.refresh({ refreshToken: "A".repeat(43) }));
    expect(err.code).toBe(Code.Unauthenticated);
    const garbage = await failure(h.client.refresh({ refreshToken: "not-a-token" }));
    expect(garbage.rawMessage).toMatch(/^refresh_token:/);
  });
});

describe("Authenticate", () => {
  it("refuses an expired access token", async () => {
    let nowMs = Date.now();
    const h = await start({ now: () => nowMs });
    const { tokens } = await loggedIn(h);
    nowMs += 16 * 60_000;
    const err = await failure(
      h.client.authenticate({ accessToken: tokens?.accessToken ?? "" }),
    );
    expect(err.code).toBe(Code.Unauthenticated);
    expect(err.rawMessage).toBe("access token expired");
  });

  it("refuses a token signed by another key, even under auth's kid", async () => {
    const h = await start();
    const [published] = await h.core.publicKeys();
    const other = await generateSigningKey();
    const input = { userId: "u", username: "mallory", roles: ["admin" as const] };
    const forged = await signAccessToken(
      {
        kid: published?.kid ?? "",
        privateKey: importPrivateSigningKey(other.privateJwk),
      },
      input,
    );
    const stranger = await signAccessToken(
      { kid: other.kid, privateKey: importPrivateSigningKey(other.privateJwk) },
      input,
    );
    const bad = await failure(h.client.authenticate({ accessToken: forged.token }));
    expect(bad.rawMessage).toBe("access token signature is invalid");
    const unknown = await failure(h.client.authenticate({ accessToken: stranger.token }));
    expect(unknown.rawMessage).toBe(
      "access token is signed by an unknown or revoked key",
    );
  });

  it("refuses alg none", async () => {
    const h = await start();
    const { tokens } = await loggedIn(h);
    const [header, payload] = (tokens?.accessToken ?? "").split(".");
    const decoded = JSON.parse(
      Buffer.from(header ?? "", "base64url").toString(),
    ) as object;
    const none = Buffer.from(JSON.stringify({ ...decoded, alg: "none" })).toString(
      "base64url",
    );
    const err = await failure(
      h.client.authenticate({ accessToken: `${none}.${payload}.` }),
    );
    expect(err.code).toBe(Code.Unauthenticated);
    expect(err.rawMessage).toBe("access token: only alg EdDSA is accepted");
  });

  it("refuses a token for another audience", async () => {
    const h = await start();
    const { tokens } = await loggedIn(h);
    const other = await start({
      store: h.store,
      settings: { audience: "another-system" },
    });
    const err = await failure(
      other.client.authenticate({ accessToken: tokens?.accessToken ?? "" }),
    );
    expect(err.rawMessage).toBe("access token has the wrong audience");
  });
});

describe("signing keys", () => {
  it("lets only admins rotate", async () => {
    const h = await start();
    const { tokens } = await loggedIn(h);
    const anonymous = await failure(h.client.rotateSigningKey({}));
    expect(anonymous.code).toBe(Code.Unauthenticated);
    const user = await failure(
      h.client.rotateSigningKey({}, bearer(tokens?.accessToken ?? "")),
    );
    expect(user.code).toBe(Code.PermissionDenied);
  });

  it("keeps old tokens valid after a rotation until they expire, then unpublishes the key", async () => {
    let nowMs = Date.now();
    const h = await start({ now: () => nowMs });
    await h.core.createAccount({ username: "root", password, roles: ["user", "admin"] });
    const { tokens: old } = await h.client.login({ username: "root", password });
    const { keys: before } = await h.client.getPublicKeys({});
    const { key } = await h.client.rotateSigningKey({}, bearer(old?.accessToken ?? ""));
    expect(key?.kid).not.toBe(before[0]?.kid);

    const { tokens: fresh } = await h.client.login({ username: "root", password });
    const kidOf = (jwt: string) =>
      (
        JSON.parse(Buffer.from(jwt.split(".")[0] ?? "", "base64url").toString()) as {
          kid: string;
        }
      ).kid;
    expect(kidOf(fresh?.accessToken ?? "")).toBe(key?.kid);
    await h.client.authenticate({ accessToken: old?.accessToken ?? "" });
    const { keys: during } = await h.client.getPublicKeys({});
    expect(during.map((k) => k.kid).sort()).toEqual([before[0]?.kid, key?.kid].sort());
    expect(during.find((k) => k.kid === before[0]?.kid)?.retiredAt).toBeDefined();

    nowMs += 15 * 60_000 + 30_000 + 5_000 + 1_000;
    const { keys: after } = await h.client.getPublicKeys({});
    expect(after.map((k) => k.kid)).toEqual([key?.kid]);
    const expired = await failure(
      h.client.authenticate({ accessToken: old?.accessToken ?? "" }),
    );
    expect(expired.code).toBe(Code.Unauthenticated);
  });
});

describe("LookupUsers", () => {
  it("needs a valid access token and returns only existing users", async () => {
    const h = await start();
    const { tokens } = await loggedIn(h);
    await h.client.register({ username: "bob", password });
    const anonymous = await failure(h.client.lookupUsers({ usernames: ["bob"] }));
    expect(anonymous.code).toBe(Code.Unauthenticated);
    const { users } = await h.client.lookupUsers(
      { usernames: ["BOB", "alice", "carol", "!!"] },
      bearer(tokens?.accessToken ?? ""),
    );
    expect(users.map((u) => u.username).sort()).toEqual(["alice", "bob"]);
    const tooMany = await failure(
      h.client.lookupUsers(
        { usernames: Array.from({ length: 101 }, (_, i) => `user${i}`) },
        bearer(tokens?.accessToken ?? ""),
      ),
    );
    expect(tooMany.code).toBe(Code.InvalidArgument);
  });
});
