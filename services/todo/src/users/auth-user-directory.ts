import { create } from "@bufbuild/protobuf";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { AuthService, LookupUsersRequestSchema } from "@microtodo/api/auth";
import {
  type DirectoryUser,
  normalizeUsername,
  type UserDirectory,
} from "./user-directory.js";

/** Options of the directory backed by AuthService. */
export interface AuthUserDirectoryOptions {
  /**
   * The transport to an auth instance, asked for on every lookup so a
   * registry-backed resolver can follow instances coming and going.
   */
  readonly transport: () => Promise<Transport>;
  /** Deadline of one LookupUsers call; default 5000. */
  readonly timeoutMs?: number;
}

/** Most usernames one LookupUsers call accepts (auth's contract). */
const MAX_USERNAMES_PER_CALL = 100;

/** A UserDirectory that calls AuthService.LookupUsers with the caller's token. */
export function createAuthUserDirectory(
  options: AuthUserDirectoryOptions,
): UserDirectory {
  const timeoutMs = options.timeoutMs ?? 5000;
  return {
    async lookup(usernames, callerToken) {
      const found = new Map<string, DirectoryUser>();
      const client: Client<typeof AuthService> = createClient(
        AuthService,
        await options.transport(),
      );
      for (let start = 0; start < usernames.length; start += MAX_USERNAMES_PER_CALL) {
        const request = create(LookupUsersRequestSchema, {
          usernames: usernames
            .slice(start, start + MAX_USERNAMES_PER_CALL)
            .map(normalizeUsername),
        });
        const response = await client.lookupUsers(request, {
          headers: { authorization: `Bearer ${callerToken}` },
          timeoutMs,
        });
        for (const user of response.users) {
          found.set(user.username, { id: user.id, username: user.username });
        }
      }
      return found;
    },
  };
}
