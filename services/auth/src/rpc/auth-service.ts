import type { DescService } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { AuthService } from "@microtodo/api/auth";
import { peerAddressFromContext, requirePrincipal, requireRole } from "@microtodo/kit";
import type { Logger } from "pino";
import type { AuthCore } from "../accounts/auth-core.js";
import { clientAddress } from "./client-address.js";
import {
  toProtoPublicKey,
  toProtoRole,
  toProtoTokenPair,
  toProtoUser,
} from "./proto-mapping.js";
import { toConnectError } from "./to-connect-error.js";

/** What createAuthService needs. */
export interface AuthServiceDeps {
  readonly core: AuthCore;
  /** Receives unexpected failures only; expected ones go back to the caller. */
  readonly logger: Logger;
}

/** The AuthService handlers: request in, domain call, response out. */
export function createAuthService(
  deps: AuthServiceDeps,
): ServiceImpl<typeof AuthService> {
  const { core } = deps;
  const impl: ServiceImpl<typeof AuthService> = {
    async register(req) {
      return { user: toProtoUser(await core.register(req)) };
    },
    async login(req, ctx) {
      const address = clientAddress(ctx.requestHeader, peerAddressFromContext(ctx));
      const { user, tokens } = await core.login({
        username: req.username,
        password: req.password,
        ...(address ? { clientAddress: address } : {}),
      });
      return { user: toProtoUser(user), tokens: toProtoTokenPair(tokens) };
    },
    async refresh(req) {
      return { tokens: toProtoTokenPair(await core.refresh(req.refreshToken)) };
    },
    async logout(req) {
      await core.logout(req.refreshToken);
      return {};
    },
    async authenticate(req) {
      const principal = await core.verifier.verify(req.accessToken);
      return {
        userId: principal.userId,
        username: principal.username,
        roles: principal.roles.map(toProtoRole),
        expiresAt: timestampFromMs(principal.expiresAtMs),
      };
    },
    async getPublicKeys() {
      return { keys: (await core.publicKeys()).map(toProtoPublicKey) };
    },
    async lookupUsers(req, ctx) {
      await requirePrincipal(core.verifier, ctx);
      return { users: (await core.lookupUsers(req.usernames)).map(toProtoUser) };
    },
    async rotateSigningKey(_req, ctx) {
      requireRole(await requirePrincipal(core.verifier, ctx), "admin");
      return { key: toProtoPublicKey(await core.rotateSigningKey()) };
    },
  };
  return withErrorEdge(impl, deps.logger);
}

type UnaryHandler = (request: unknown, ctx: HandlerContext) => Promise<unknown>;

/** Wraps every (unary) handler so each failure is converted exactly once. */
function withErrorEdge<S extends DescService>(
  impl: ServiceImpl<S>,
  logger: Logger,
): ServiceImpl<S> {
  const wrapped: Record<string, UnaryHandler> = {};
  for (const [name, handler] of Object.entries(impl as Record<string, UnaryHandler>)) {
    wrapped[name] = async (request, ctx) => {
      try {
        return await handler(request, ctx);
      } catch (err) {
        throw toConnectError(err, logger, name);
      }
    };
  }
  // Same keys and signatures as `impl`; only the bodies are wrapped.
  return wrapped as ServiceImpl<S>;
}
