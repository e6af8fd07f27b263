import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { TokenPair as ProtoTokenPair, PublicKey, User } from "@microtodo/api/auth";
import {
  Role as ProtoRole,
  PublicKeySchema,
  TokenPairSchema,
  UserSchema,
} from "@microtodo/api/auth";
import type { Role } from "@microtodo/kit";
import type { TokenPair } from "../accounts/auth-core.js";
import type { UserRecord } from "../store/auth-store.js";
import type { PublishedKey } from "../tokens/signing-keys.js";

/** A role as the contract spells it. */
export function toProtoRole(role: Role): ProtoRole {
  return role === "admin" ? ProtoRole.ADMIN : ProtoRole.USER;
}

export function toProtoUser(user: UserRecord): User {
  return create(UserSchema, {
    id: user.id,
    username: user.username,
    roles: user.roles.map(toProtoRole),
    createdAt: timestampFromMs(user.createdAtMs),
  });
}

export function toProtoTokenPair(pair: TokenPair): ProtoTokenPair {
  return create(TokenPairSchema, {
    accessToken: pair.accessToken,
    accessTokenExpiresAt: timestampFromMs(pair.accessTokenExpiresAtMs),
    refreshToken: pair.refreshToken,
    refreshTokenExpiresAt: timestampFromMs(pair.refreshTokenExpiresAtMs),
    tokenType: "Bearer",
  });
}

export function toProtoPublicKey(key: PublishedKey): PublicKey {
  return create(PublicKeySchema, {
    kid: key.kid,
    alg: key.alg,
    jwkJson: JSON.stringify(key.publicJwk),
    createdAt: timestampFromMs(key.createdAtMs),
    ...(key.retiredAtMs === undefined
      ? {}
      : { retiredAt: timestampFromMs(key.retiredAtMs) }),
  });
}
