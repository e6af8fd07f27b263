import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { parseUsername } from "../passwords/username.js";
import type { AuthStore } from "../store/auth-store.js";
import type { AuthCore } from "./auth-core.js";
import { AuthError } from "./auth-error.js";

/** Options of bootstrapAdmin. */
export interface BootstrapAdminOptions {
  readonly core: AuthCore;
  readonly store: AuthStore;
  readonly logger: Logger;
  /** MICROTODO_ADMIN_USERNAME; default "admin". */
  readonly username: string;
  /** MICROTODO_ADMIN_PASSWORD; when absent a random one is generated and printed once. */
  readonly password?: string;
  /** Where a generated password goes; default stderr, deliberately not the logger. */
  readonly printSecret?: (text: string) => void;
}

/**
 * Creates the first admin account unless the username already exists. An
 * existing account is left alone, even without the admin role: taking over
 * an account whose password the operator does not know would be worse.
 */
export async function bootstrapAdmin(
  options: BootstrapAdminOptions,
): Promise<"created" | "exists"> {
  const username = adminUsername(options.username);
  const existing = await options.store.findUserByUsername(username);
  if (existing) {
    if (!existing.roles.includes("admin")) {
      options.logger.warn(
        { username },
        "admin account exists without the admin role; left as is",
      );
    }
    return "exists";
  }
  const password = options.password ?? randomBytes(18).toString("base64url");
  try {
    await options.core.createAccount({ username, password, roles: ["user", "admin"] });
  } catch (err) {
    // Another replica created it first; its password is the one that counts.
    if (err instanceof AuthError && err.kind === "already_exists") return "exists";
    if (err instanceof AuthError)
      throw new Error(`MICROTODO_ADMIN_PASSWORD: ${err.message}`);
    throw err;
  }
  if (options.password === undefined) {
    const print = options.printSecret ?? ((text: string) => process.stderr.write(text));
    print(
      `\nmicrotodo auth: created the admin account "${username}" with password:\n\n` +
        `    ${password}\n\nIt is shown only this once.\n\n`,
    );
  }
  return "created";
}

function adminUsername(raw: string): string {
  try {
    return parseUsername(raw);
  } catch (err) {
    throw new Error(`MICROTODO_ADMIN_USERNAME: ${(err as Error).message}`);
  }
}
