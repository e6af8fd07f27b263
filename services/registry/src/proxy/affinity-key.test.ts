import { describe, expect, it } from "vitest";
import { affinityKey, unverifiedSubject } from "./affinity-key.js";

function bearer(claims: unknown): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return `Bearer eyJhbGciOiJFZERTQSJ9.${payload}.c2ln`;
}

describe("affinity key", () => {
  it("prefers the x-affinity-key header over the token", () => {
    expect(affinityKey("list-1", bearer({ sub: "u1" }))).toBe("list-1");
  });

  it("falls back to the sub claim of a Bearer token, without verifying it", () => {
    expect(affinityKey("", bearer({ sub: "u1", exp: 0 }))).toBe("u1");
    expect(unverifiedSubject(bearer({ sub: "u2" }).replace("Bearer", "bearer"))).toBe(
      "u2",
    );
  });

  it("gives no key for missing, malformed or subject-less tokens", () => {
    expect(affinityKey("", "")).toBeUndefined();
    expect(unverifiedSubject("Basic dXNlcjpwdw==")).toBeUndefined();
    expect(unverifiedSubject("Bearer not-a-jwt")).toBeUndefined();
    expect(unverifiedSubject("Bearer a.!!!.c")).toBeUndefined();
    expect(unverifiedSubject(bearer({ sub: 42 }))).toBeUndefined();
    expect(unverifiedSubject(bearer(null))).toBeUndefined();
    expect(unverifiedSubject(bearer({ sub: "x".repeat(9000) }))).toBeUndefined();
  });
});
