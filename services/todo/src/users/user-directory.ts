/** A user as the directory knows them. */
export interface DirectoryUser {
  readonly id: string;
  /** Normalised (see normalizeUsername). */
  readonly username: string;
}

/** Resolves usernames to users, so tasks can be shared by name. */
export interface UserDirectory {
  /**
   * The users among `usernames` that exist, keyed by normalised username;
   * unknown names are simply absent. `callerToken` is the access token of
   * the request being served: auth answers only authenticated callers.
   */
  lookup(
    usernames: readonly string[],
    callerToken: string,
  ): Promise<Map<string, DirectoryUser>>;
}

/** Auth's username normalisation: Unicode NFKC, then lower case. */
export function normalizeUsername(username: string): string {
  return username.normalize("NFKC").toLowerCase();
}
