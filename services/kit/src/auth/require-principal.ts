import type { HandlerContext } from "@connectrpc/connect";
import { Code, ConnectError, createContextKey } from "@connectrpc/connect";
import type { Principal, Role } from "./principal.js";
import { tokenRejected } from "./token-rejection.js";
import type { TokenVerifier } from "./token-verifier.js";

const principalKey = createContextKey<Principal | undefined>(undefined, {
  description: "microtodo principal",
});

/** The token of an `authorization: Bearer <token>` header, if there is one. */
export function bearerToken(headers: Headers): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers.get("authorization") ?? "");
  return match?.[1];
}

/**
 * The caller of an RPC, from its `authorization: Bearer` header. Throws
 * ConnectError(Unauthenticated) when the header is missing or the token is
 * refused. The result is kept on the context, so calling it twice in one
 * RPC verifies once.
 */
export async function requirePrincipal(
  verifier: TokenVerifier,
  ctx: HandlerContext,
): Promise<Principal> {
  const known = ctx.values.get(principalKey);
  if (known) return known;
  const token = bearerToken(ctx.requestHeader);
  if (!token) throw tokenRejected("missing");
  const principal = await verifier.verify(token);
  ctx.values.set(principalKey, principal);
  return principal;
}

/** The principal requirePrincipal already established in this RPC, if any. */
export function principalFromContext(ctx: HandlerContext): Principal | undefined {
  return ctx.values.get(principalKey);
}

/** Throws ConnectError(PermissionDenied) unless the principal has the role. */
export function requireRole(principal: Principal, role: Role): void {
  if (!principal.roles.includes(role)) {
    throw new ConnectError(`this call needs the ${role} role`, Code.PermissionDenied);
  }
}
