import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, createHandlerContext } from "@connectrpc/connect";
import { AuthService } from "@microtodo/api/auth";
import type { JWK } from "jose";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessTokenInput } from "./access-token.js";
import { signAccessToken } from "./access-token.js";
import { createHttpKeySource, JWKS_PATH } from "./http-key-source.js";
import type { JsonWebKeySet } from "./key-ring.js";
import { requirePrincipal, requireRole } from "./require-principal.js";
import type { GeneratedSigningKey } from "./signing-key.js";
import { generateSigningKey, importPrivateSigningKey } from "./signing-key.js";
import type { TokenRejectionReason } from "./token-rejection.js";
import { tokenRejectionReason } from "./token-rejection.js";
import type { TokenVerifierOptions } from "./token-verifier.js";
import { createTokenVerifier } from "./token-verifier.js";

const alice: AccessTokenInput = { userId: "u-1", username: "alice", roles: ["user"] };

let keyA: GeneratedSigningKey;
let keyB: GeneratedSigningKey;

beforeAll(async () => {
  [keyA, keyB] = await Promise.all([generateSigningKey(), generateSigningKey()]);
});

function sign(key: GeneratedSigningKey, input: Partial<AccessTokenInput> = {}) {
  const signer = { kid: key.kid, privateKey: importPrivateSigningKey(key.privateJwk) };
  return signAccessToken(signer, { ...alice, ...input }).then((t) => t.token);
}

/** A key source whose published keys a test can change, counting fetches. */
function mutableKeySource(...initial: GeneratedSigningKey[]) {
  const source = {
    keys: initial.map((k) => k.publicJwk) as JWK[],
    fetches: 0,
    fetch: async (): Promise<JsonWebKeySet> => {
      source.fetches += 1;
      return { keys: source.keys };
    },
  };
  return source;
}

function verifierFor(
  ...keys: GeneratedSigningKey[]
): ReturnType<typeof createTokenVerifier> {
  return createTokenVerifier({ keySource: mutableKeySource(...keys).fetch });
}

async function rejectionOf(
  promise: Promise<unknown>,
): Promise<TokenRejectionReason | string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.Unauthenticated);
    return tokenRejectionReason(err) ?? `no reason: ${String(err)}`;
  }
  return "accepted";
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

describe("createTokenVerifier", () => {
  it("accepts a token from a published key and returns its principal", async () => {
    const token = await sign(keyA, { roles: ["user", "admin"], sessionId: "fam-1" });
    const principal = await verifierFor(keyA).verify(token);
    expect(principal).toMatchObject({
      userId: "u-1",
      username: "alice",
      roles: ["user", "admin"],
      sessionId: "fam-1",
    });
    expect(principal.expiresAtMs).toBeGreaterThan(Date.now());
  });

  it("refuses an expired token", async () => {
    const token = await sign(keyA, { nowMs: Date.now() - 3_600_000, ttlMs: 60_000 });
    expect(await rejectionOf(verifierFor(keyA).verify(token))).toBe("expired");
  });

  it("refuses a cached token once it has expired", async () => {
    let nowMs = Date.now();
    const source = mutableKeySource(keyA);
    const verifier = createTokenVerifier({ keySource: source.fetch, now: () => nowMs });
    const token = await sign(keyA, { nowMs, ttlMs: 60_000 });
    await verifier.verify(token);
    nowMs += 120_000;
    expect(await rejectionOf(verifier.verify(token))).toBe("expired");
  });

  it("refuses a token not valid yet", async () => {
    const token = await sign(keyA, { nowMs: Date.now() + 3_600_000 });
    expect(await rejectionOf(verifierFor(keyA).verify(token))).toBe("not_yet_valid");
  });

  it("refuses a token signed by another key under a published kid", async () => {
    const forger = {
      kid: keyA.kid,
      privateKey: importPrivateSigningKey(keyB.privateJwk),
    };
    const { token } = await signAccessToken(forger, alice);
    expect(await rejectionOf(verifierFor(keyA).verify(token))).toBe("bad_signature");
  });

  it("refuses a token signed by a key that is not published", async () => {
    const token = await sign(keyB);
    expect(await rejectionOf(verifierFor(keyA).verify(token))).toBe("unknown_key");
  });

  it("refuses alg none", async () => {
    const good = await sign(keyA);
    const payload = good.split(".")[1];
    const unsigned = `${b64({ alg: "none", typ: "at+jwt", kid: keyA.kid })}.${payload}.`;
    expect(await rejectionOf(verifierFor(keyA).verify(unsigned))).toBe(
      "unsupported_algorithm",
    );
  });

  it("refuses HS256 keyed with the public key (algorithm confusion)", async () => {
    const secret = new TextEncoder().encode(JSON.stringify(keyA.publicJwk));
    const token = await new SignJWT({ preferred_username: "alice", roles: ["admin"] })
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: keyA.kid })
      .setIssuer("microtodo-auth")
      .setAudience("microtodo")
      .setSubject("u-1")
      .setJti("j")
      .setExpirationTime("5m")
      .sign(secret);
    expect(await rejectionOf(verifierFor(keyA).verify(token))).toBe(
      "unsupported_algorithm",
    );
  });

  it("refuses a token for another audience or issuer", async () => {
    const verifier = verifierFor(keyA);
    const otherAudience = await sign(keyA, { audience: "someone-else" });
    const otherIssuer = await sign(keyA, { issuer: "evil" });
    expect(await rejectionOf(verifier.verify(otherAudience))).toBe("wrong_audience");
    expect(await rejectionOf(verifier.verify(otherIssuer))).toBe("wrong_issuer");
  });

  it("refuses garbage and tampered payloads", async () => {
    const verifier = verifierFor(keyA);
    const [header, , signature] = (await sign(keyA)).split(".");
    const tampered = `${header}.${b64({ sub: "u-2", roles: ["admin"] })}.${signature}`;
    expect(await rejectionOf(verifier.verify("not.a.jwt!"))).toBe("malformed");
    expect(await rejectionOf(verifier.verify(""))).toBe("malformed");
    expect(await rejectionOf(verifier.verify(tampered))).toBe("bad_signature");
  });

  it("fetches the keys again when a token names an unknown kid", async () => {
    const source = mutableKeySource(keyA);
    const verifier = createTokenVerifier({ keySource: source.fetch });
    await verifier.verify(await sign(keyA));
    expect(source.fetches).toBe(1);
    source.keys = [keyA.publicJwk, keyB.publicJwk];
    await verifier.verify(await sign(keyB));
    expect(source.fetches).toBe(2);
  });

  it("rate-limits refetches caused by unknown kids", async () => {
    const source = mutableKeySource(keyA);
    const verifier = createTokenVerifier({
      keySource: source.fetch,
      refetchMinIntervalMs: 60_000,
    });
    await verifier.verify(await sign(keyA));
    const unknown = await sign(keyB);
    expect(await rejectionOf(verifier.verify(unknown))).toBe("unknown_key");
    expect(await rejectionOf(verifier.verify(unknown))).toBe("unknown_key");
    expect(source.fetches).toBe(2);
  });

  it("keeps tokens of the previous key valid after a key rotation", async () => {
    const source = mutableKeySource(keyA);
    const verifier = createTokenVerifier({ keySource: source.fetch, cacheMaxEntries: 1 });
    const oldToken = await sign(keyA);
    await verifier.verify(oldToken);
    source.keys = [keyA.publicJwk, keyB.publicJwk];
    await verifier.verify(await sign(keyB));
    await expect(verifier.verify(oldToken)).resolves.toMatchObject({ userId: "u-1" });
  });

  it("drops cached tokens whose key left the key set", async () => {
    let nowMs = Date.now();
    const source = mutableKeySource(keyA);
    const options: TokenVerifierOptions = {
      keySource: source.fetch,
      maxKeyAgeMs: 1_000,
      now: () => nowMs,
    };
    const verifier = createTokenVerifier(options);
    const token = await sign(keyA, { nowMs });
    await verifier.verify(token);
    source.keys = [keyB.publicJwk];
    nowMs += 2_000;
    await verifier.verify(await sign(keyB, { nowMs })); // triggers the background refresh
    await new Promise((resolve) => setImmediate(resolve));
    expect(await rejectionOf(verifier.verify(token))).toBe("unknown_key");
  });

  it("answers Unavailable while the keys cannot be fetched, without hammering the source", async () => {
    let nowMs = Date.now();
    let attempts = 0;
    let up = false;
    const verifier = createTokenVerifier({
      now: () => nowMs,
      keySource: async () => {
        attempts += 1;
        if (!up) throw new Error("connection refused");
        return { keys: [keyA.publicJwk] };
      },
    });
    const token = await sign(keyA, { nowMs });
    for (let i = 0; i < 3; i++) {
      await expect(verifier.verify(token)).rejects.toMatchObject({
        code: Code.Unavailable,
      });
    }
    expect(attempts).toBe(1);
    up = true;
    nowMs += 1_000;
    await expect(verifier.verify(token)).resolves.toMatchObject({ userId: "u-1" });
    expect(attempts).toBe(2);
  });
});

describe("createHttpKeySource", () => {
  const server = createServer((req, res) => {
    const found = req.url === JWKS_PATH;
    res.writeHead(found ? 200 : 404, { "content-type": "application/json" });
    res.end(found ? JSON.stringify({ keys: [keyA.publicJwk] }) : "{}");
  });
  let baseUrl = "";

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("verifies tokens with keys served over HTTP", async () => {
    const verifier = createTokenVerifier({
      keySource: createHttpKeySource({ baseUrl: async () => baseUrl }),
    });
    await expect(verifier.verify(await sign(keyA))).resolves.toMatchObject({
      username: "alice",
    });
  });
});

describe("requirePrincipal", () => {
  function contextWith(headers: Record<string, string>) {
    return createHandlerContext({
      service: AuthService,
      method: AuthService.method.lookupUsers,
      protocolName: "connect",
      requestMethod: "POST",
      url: "http://localhost/microtodo.auth.v1.AuthService/LookupUsers",
      requestHeader: headers,
    });
  }

  it("returns the caller of a Bearer header and refuses a missing one", async () => {
    const verifier = verifierFor(keyA);
    const ctx = contextWith({ authorization: `Bearer ${await sign(keyA)}` });
    await expect(requirePrincipal(verifier, ctx)).resolves.toMatchObject({
      userId: "u-1",
    });
    const anonymous = contextWith({});
    expect(await rejectionOf(requirePrincipal(verifier, anonymous))).toBe("missing");
  });

  it("refuses a caller without the needed role", async () => {
    const verifier = verifierFor(keyA);
    const ctx = contextWith({ authorization: `bearer ${await sign(keyA)}` });
    const principal = await requirePrincipal(verifier, ctx);
    expect(() => requireRole(principal, "admin")).toThrowError(
      expect.objectContaining({ code: Code.PermissionDenied }),
    );
  });
});
