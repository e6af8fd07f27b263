import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { TokenPair } from "@microtodo/api/auth";
import { CliError } from "./cli-errors.js";
import type { StoredSession } from "./credentials-store.js";

/** What to keep from a Login or Refresh answer, for the given user. */
export function storedFromTokens(
  tokens: TokenPair | undefined,
  user: Pick<StoredSession, "userId" | "username">,
): StoredSession {
  if (!tokens?.accessToken || !tokens.refreshToken) {
    throw new CliError("the auth service answered without tokens");
  }
  return {
    userId: user.userId,
    username: user.username,
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: isoOrEmpty(tokens.accessTokenExpiresAt),
    refreshToken: tokens.refreshToken,
    refreshTokenExpiresAt: isoOrEmpty(tokens.refreshTokenExpiresAt),
  };
}

// An empty time means the server did not say; such a token is used until
// a server refuses it, and then refreshed.
function isoOrEmpty(timestamp: Timestamp | undefined): string {
  return timestamp ? timestampDate(timestamp).toISOString() : "";
}
