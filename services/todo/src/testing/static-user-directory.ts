import {
  type DirectoryUser,
  normalizeUsername,
  type UserDirectory,
} from "../users/user-directory.js";

/** A directory over a fixed set of users: tests share with the users they minted tokens for. */
export function createStaticUserDirectory(users: Iterable<DirectoryUser>): UserDirectory {
  const byName = new Map<string, DirectoryUser>();
  for (const user of users) byName.set(normalizeUsername(user.username), user);
  return {
    async lookup(usernames) {
      const found = new Map<string, DirectoryUser>();
      for (const name of usernames) {
        const user = byName.get(normalizeUsername(name));
        if (user) found.set(user.username, { id: user.id, username: user.username });
      }
      return found;
    },
  };
}
