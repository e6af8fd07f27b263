/** Longest Authorization value worth decoding for a key, in characters. */
const maxTokenChars = 8192;

/**
 * The key a hashing balancer uses to keep one caller on one instance: the
 * `x-affinity-key` header when present, else the `sub` claim of a Bearer
 * JWT. The token is decoded, never verified: the key only steers load and
 * grants nothing, since every service verifies the token itself. A forged
 * `sub` can at worst move the forger's own calls to another instance.
 */
export function affinityKey(header: string, authorization: string): string | undefined {
  if (header !== "") {
    return header;
  }
  return authorization === "" ? undefined : unverifiedSubject(authorization);
}

/** The `sub` claim of a `Bearer <jwt>` value, or undefined. */
export function unverifiedSubject(authorization: string): string | undefined {
  if (authorization.length > maxTokenChars || !hasBearerScheme(authorization)) {
    return undefined;
  }
  const start = authorization.indexOf(".", 7) + 1;
  const end = authorization.indexOf(".", start);
  if (start === 0 || end === -1) {
    return undefined;
  }
  try {
    const json = Buffer.from(authorization.slice(start, end), "base64url").toString();
    const claims: unknown = JSON.parse(json);
    const sub = (claims as { sub?: unknown } | null)?.sub;
    return typeof sub === "string" && sub !== "" ? sub : undefined;
  } catch {
    return undefined;
  }
}

function hasBearerScheme(value: string): boolean {
  return (
    value.length > 7 && value.charCodeAt(6) === 32 && /^bearer$/i.test(value.slice(0, 6))
  );
}
