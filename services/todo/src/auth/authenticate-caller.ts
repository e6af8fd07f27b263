import { type TokenVerifier, tokenRejected } from "@microtodo/kit";
import type { Caller } from "../operations/operation-context.js";

const bearerPattern = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The caller behind an `authorization: Bearer <token>` header value; the
 * verifier throws ConnectError(UNAUTHENTICATED) for a refused token. Takes
 * the bare header value so the Connect handlers and the REST routes share it.
 */
export async function authenticateCaller(
  verifier: TokenVerifier,
  authorization: string | null | undefined,
): Promise<Caller> {
  const match = bearerPattern.exec(authorization ?? "");
  if (!match) throw tokenRejected("missing");
  const accessToken = match[1] as string;
  const principal = await verifier.verify(accessToken);
  return { userId: principal.userId, username: principal.username, accessToken };
}
