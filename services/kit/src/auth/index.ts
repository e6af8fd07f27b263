// Access tokens: the format auth signs and every service verifies.

export type {
  AccessTokenInput,
  AccessTokenSigningKey,
  SignedAccessToken,
} from "./access-token.js";
export {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_TYPE,
  DEFAULT_ACCESS_TOKEN_TTL_MS,
  DEFAULT_TOKEN_AUDIENCE,
  DEFAULT_TOKEN_ISSUER,
  signAccessToken,
} from "./access-token.js";
export type { HttpKeySourceOptions } from "./http-key-source.js";
export { createHttpKeySource, JWKS_PATH } from "./http-key-source.js";
export type { JsonWebKeySet, KeySource } from "./key-ring.js";
export type { Principal, Role } from "./principal.js";
export { hasRole, ROLES } from "./principal.js";
export {
  bearerToken,
  principalFromContext,
  requirePrincipal,
  requireRole,
} from "./require-principal.js";
export type { GeneratedSigningKey } from "./signing-key.js";
export {
  generateSigningKey,
  importPrivateSigningKey,
  importPublicVerificationKey,
} from "./signing-key.js";
export type { TokenRejectionReason } from "./token-rejection.js";
export { tokenRejected, tokenRejectionReason } from "./token-rejection.js";
export type { TokenVerifier, TokenVerifierOptions } from "./token-verifier.js";
export { createTokenVerifier } from "./token-verifier.js";
