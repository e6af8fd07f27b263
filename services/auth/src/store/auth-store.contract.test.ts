import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RedisServer, startRedisServer } from "@microtodo/kit";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AuthStore, SigningKeyRecord, UserRecord } from "./auth-store.js";
import { createRedisAuthStore } from "./redis-auth-store.js";
import { createSqliteAuthStore } from "./sqlite-auth-store.js";

let redisServer: RedisServer;
const dataDir = mkdtempSync(join(tmpdir(), "auth-store-"));

beforeAll(async () => {
  redisServer = await startRedisServer();
});
afterAll(async () => {
  await redisServer?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const implementations: [string, () => AuthStore][] = [
  [
    "SQLite",
    () => createSqliteAuthStore({ path: join(dataDir, `${randomUUID()}.sqlite`) }),
  ],
  [
    "Redis",
    () =>
      createRedisAuthStore({
        redis: new Redis(redisServer.url, { maxRetriesPerRequest: 1 }),
        // Glob characters, so a SCAN pattern built from the prefix must escape them.
        keyPrefix: `test:${randomUUID()}:[x]*?:`,
      }),
  ],
];

const t0 = 1_700_000_000_000;
const day = 86_400_000;

function user(username: string, id = randomUUID()): UserRecord {
  return {
    id,
    username,
    roles: ["user"],
    passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
    hashParams: { memoryKiB: 19456, timeCost: 2, parallelism: 1 },
    createdAtMs: t0,
  };
}

function signingKey(kid: string, createdAtMs: number): SigningKeyRecord {
  return {
    kid,
    alg: "EdDSA",
    publicJwk: `{"kid":"${kid}"}`,
    privateJwk: "{}",
    createdAtMs,
  };
}

describe.each(implementations)("AuthStore contract on %s", (_name, create) => {
  let store: AuthStore;
  const open = () => {
    store = create();
    return store;
  };
  afterEach(async () => {
    await store?.close();
  });

  it("creates a user once and finds it by name, id and list", async () => {
    const s = open();
    const alice = user("alice");
    expect(await s.createUser(alice)).toBe("created");
    expect(await s.createUser(user("alice"))).toBe("exists");
    expect(await s.findUserByUsername("alice")).toEqual(alice);
    expect(await s.findUserById(alice.id)).toEqual(alice);
    expect(await s.findUserByUsername("bob")).toBeUndefined();
    await s.createUser(user("bob"));
    const found = await s.findUsersByUsernames(["alice", "bob", "carol"]);
    expect(found.map((u) => u.username).sort()).toEqual(["alice", "bob"]);
    expect(await s.findUsersByUsernames([])).toEqual([]);
  });

  it("replaces a password hash with its new parameters", async () => {
    const s = open();
    const alice = user("alice");
    await s.createUser(alice);
    const params = { memoryKiB: 65536, timeCost: 3, parallelism: 1 };
    await s.updatePasswordHash(alice.id, "$argon2id$new", params);
    expect(await s.findUserById(alice.id)).toMatchObject({
      passwordHash: "$argon2id$new",
      hashParams: params,
    });
  });

  it("adds a role once, keeping the roles a user had", async () => {
    const s = open();
    const alice = user("alice");
    await s.createUser(alice);
    expect(await s.addUserRole(alice.id, "admin")).toBe(true);
    expect(await s.addUserRole(alice.id, "admin")).toBe(false);
    expect(await s.addUserRole("no-such-user", "admin")).toBe(false);
    expect((await s.findUserByUsername("alice"))?.roles).toEqual(["user", "admin"]);
  });

  it("revokes every live session of one user and leaves other users' alone", async () => {
    const s = open();
    const family = (familyId: string, userId: string, expiresAtMs = t0 + day) =>
      s.createRefreshFamily({
        familyId,
        userId,
        tokenHash: `h-${familyId}`,
        createdAtMs: t0,
        expiresAtMs,
      });
    await family("a1", "alice");
    await family("a2", "alice");
    await family("a-old", "alice", t0 + 5);
    await family("b1", "bob");
    await s.revokeRefreshFamily("h-a2", t0 + 1);
    expect(await s.revokeUserRefreshFamilies("alice", t0 + 10)).toBe(1);
    expect(await s.isRefreshFamilyActive("a1", t0 + 11)).toBe(false);
    expect(await s.rotateRefreshToken("h-a1", "next", t0 + 11)).toEqual({
      kind: "revoked",
    });
    expect(await s.isRefreshFamilyActive("b1", t0 + 11)).toBe(true);
    expect(await s.revokeUserRefreshFamilies("alice", t0 + 12)).toBe(0);
  });

  it("rotates a refresh token and revokes the family when an old one is reused", async () => {
    const s = open();
    const family = { familyId: "f1", userId: "u1", tokenHash: "h1", createdAtMs: t0 };
    await s.createRefreshFamily({ ...family, expiresAtMs: t0 + 30 * day });
    expect(await s.rotateRefreshToken("h1", "h2", t0 + 1)).toEqual({
      kind: "rotated",
      familyId: "f1",
      userId: "u1",
      expiresAtMs: t0 + 30 * day,
    });
    expect(await s.rotateRefreshToken("h1", "h3", t0 + 2)).toEqual({
      kind: "reused",
      familyId: "f1",
      userId: "u1",
    });
    expect(await s.isRefreshFamilyActive("f1", t0 + 3)).toBe(false);
    expect(await s.rotateRefreshToken("h2", "h4", t0 + 3)).toEqual({ kind: "revoked" });
  });

  it("lets only one of two concurrent rotations of one token succeed", async () => {
    const s = open();
    await s.createRefreshFamily({
      familyId: "f1",
      userId: "u1",
      tokenHash: "h1",
      createdAtMs: t0,
      expiresAtMs: t0 + day,
    });
    const outcomes = await Promise.all([
      s.rotateRefreshToken("h1", "a", t0 + 1),
      s.rotateRefreshToken("h1", "b", t0 + 1),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["reused", "rotated"]);
  });

  it("refuses expired and unknown refresh tokens", async () => {
    const s = open();
    await s.createRefreshFamily({
      familyId: "f1",
      userId: "u1",
      tokenHash: "h1",
      createdAtMs: t0,
      expiresAtMs: t0 + day,
    });
    expect(await s.rotateRefreshToken("nope", "x", t0)).toEqual({ kind: "unknown" });
    expect(await s.isRefreshFamilyActive("f1", t0 + day - 1)).toBe(true);
    expect(await s.rotateRefreshToken("h1", "h2", t0 + day)).toEqual({ kind: "expired" });
    expect(await s.isRefreshFamilyActive("f1", t0 + day)).toBe(false);
  });

  it("revokes a family through any of its tokens", async () => {
    const s = open();
    await s.createRefreshFamily({
      familyId: "f1",
      userId: "u1",
      tokenHash: "h1",
      createdAtMs: t0,
      expiresAtMs: t0 + day,
    });
    await s.rotateRefreshToken("h1", "h2", t0 + 1);
    expect(await s.revokeRefreshFamily("h2", t0 + 2)).toBe(true);
    expect(await s.revokeRefreshFamily("unknown", t0 + 2)).toBe(false);
    expect(await s.isRefreshFamilyActive("f1", t0 + 3)).toBe(false);
    expect(await s.rotateRefreshToken("h2", "h3", t0 + 3)).toEqual({ kind: "revoked" });
    expect(await s.isRefreshFamilyActive("missing", t0)).toBe(false);
  });

  it("stores the first signing key once and retires keys on rotation", async () => {
    const s = open();
    expect(await s.addFirstSigningKey(signingKey("k1", t0))).toBe(true);
    expect(await s.addFirstSigningKey(signingKey("k0", t0))).toBe(false);
    await s.rotateSigningKey(signingKey("k2", t0 + 10), t0 + 10);
    await s.rotateSigningKey(signingKey("k3", t0 + 20), t0 + 20);
    expect(await s.listSigningKeys()).toEqual([
      { ...signingKey("k1", t0), retiredAtMs: t0 + 10 },
      { ...signingKey("k2", t0 + 10), retiredAtMs: t0 + 20 },
      signingKey("k3", t0 + 20),
    ]);
  });

  it("counts login failures per key until they expire or are cleared", async () => {
    const s = open();
    expect(await s.recordLoginFailure("acct:a", t0, 1_000)).toEqual({
      count: 1,
      lastFailureAtMs: t0,
    });
    await s.recordLoginFailure("acct:a", t0 + 10, 1_000);
    await s.recordLoginFailure("addr:1", t0 + 10, 1_000);
    expect(await s.getLoginFailures(["acct:a", "addr:1", "acct:b"], t0 + 20)).toEqual([
      { count: 2, lastFailureAtMs: t0 + 10 },
      { count: 1, lastFailureAtMs: t0 + 10 },
      undefined,
    ]);
    expect(await s.getLoginFailures(["acct:a"], t0 + 1_010)).toEqual([undefined]);
    expect(await s.recordLoginFailure("acct:a", t0 + 2_000, 1_000)).toMatchObject({
      count: 1,
    });
    await s.clearLoginFailures("acct:a");
    expect(await s.getLoginFailures(["acct:a"], t0 + 2_001)).toEqual([undefined]);
  });

  it("keeps live sessions when pruning expired ones", async () => {
    const s = open();
    const base = { userId: "u1", createdAtMs: t0 };
    await s.createRefreshFamily({
      ...base,
      familyId: "old",
      tokenHash: "o",
      expiresAtMs: t0 + 1,
    });
    await s.createRefreshFamily({
      ...base,
      familyId: "new",
      tokenHash: "n",
      expiresAtMs: t0 + day,
    });
    await s.pruneExpired(t0 + 2);
    expect(await s.isRefreshFamilyActive("new", t0 + 2)).toBe(true);
    expect(await s.rotateRefreshToken("n", "n2", t0 + 3)).toMatchObject({
      kind: "rotated",
    });
  });
});
