/** A role a user holds. Every user has "user"; "admin" may rotate signing keys. */
export type Role = "user" | "admin";

/** Every role a token may carry; anything else in a token is ignored. */
export const ROLES: readonly Role[] = ["user", "admin"];

/** Whose access token a request carries, as every service sees it. */
export interface Principal {
  /** The user's id (the token's `sub`). */
  readonly userId: string;
  /** The normalised username (the token's `preferred_username`). */
  readonly username: string;
  /** Roles granted when the token was issued. */
  readonly roles: readonly Role[];
  /** The token's `jti`. */
  readonly tokenId: string;
  /** When the token stops being accepted, in ms since the epoch. */
  readonly expiresAtMs: number;
  /** The login session (refresh-token family) the token came from, if any. */
  readonly sessionId?: string;
}

/** Whether the principal holds the role. */
export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.includes(role);
}
