import { createHash } from "node:crypto";
import { invalidArgument } from "./todo-errors.js";

/** Where a page ended: the last task's order key and id. */
export interface PageCursor {
  readonly key: string;
  readonly id: string;
}

/**
 * A short digest of the query a token belongs to, so a token replayed
 * with other filters is refused instead of silently skipping tasks.
 */
export function queryFingerprint(parts: readonly unknown[]): string {
  return createHash("sha256")
    .update(JSON.stringify(parts))
    .digest("base64url")
    .slice(0, 16);
}

/** The opaque page token for a cursor. */
export function encodePageToken(cursor: PageCursor, fingerprint: string): string {
  const body = JSON.stringify({ k: cursor.key, i: cursor.id, f: fingerprint });
  return Buffer.from(body, "utf8").toString("base64url");
}

/** The cursor inside a page token; INVALID_ARGUMENT when it is malformed or for another query. */
export function decodePageToken(
  token: string,
  fingerprint: string,
  field = "page_token",
): PageCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalidArgument(field, "not a token this service issued");
  }
  const body = parsed as { k?: unknown; i?: unknown; f?: unknown } | null;
  if (typeof body?.k !== "string" || typeof body.i !== "string") {
    throw invalidArgument(field, "not a token this service issued");
  }
  if (body.f !== fingerprint) {
    throw invalidArgument(field, "belongs to a query with other filters or order");
  }
  return { key: body.k, id: body.i };
}
