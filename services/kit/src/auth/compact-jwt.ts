/** A JWS in compact form, split and decoded but not yet trusted. */
export interface DecodedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  /** `base64url(header) + "." + base64url(payload)`, the signed bytes. */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

const base64urlSegment = /^[A-Za-z0-9_-]*$/;

/**
 * Splits and decodes a compact JWS, or returns undefined when it is not
 * one. Segments must be strict base64url (Buffer's decoder would otherwise
 * skip stray characters) and header and payload JSON objects. An empty
 * signature passes here so that `alg: none` is refused by name later.
 */
export function decodeCompactJwt(token: string): DecodedJwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  if (!parts.every((part) => base64urlSegment.test(part))) return undefined;
  const header = parseJsonObject(headerPart);
  const payload = header && parseJsonObject(payloadPart);
  if (!header || !payload) return undefined;
  return {
    header,
    payload,
    signingInput: Buffer.from(`${headerPart}.${payloadPart}`, "ascii"),
    signature: Buffer.from(signaturePart, "base64url"),
  };
}

function parseJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
