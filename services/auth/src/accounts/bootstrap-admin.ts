import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { ConfigProblem } from "../config/config-problem.js";
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
  /**
   * MICROTODO_ADMIN_RESET_PASSWORD: an existing account gets `password`,
   * the admin role, and loses its sessions. Needs `password`. Default false.
   */
  readonly resetPassword?: boolean;
  /** Where a generated password goes; default stderr, deliberately not the logger. */
  readonly printSecret?: (text: string) => void;
}

/**
 * Creates the first admin account unless the username already exists. An
 * existing account is left alone, even without the admin role, unless the
 * operator asks for a reset: taking over an account whose password the
 * operator does not know would be worse.
 */
export async function bootstrapAdmin(
  options: BootstrapAdminOptions,
): Promise<"created" | "exists" | "reset"> {
  const username = adminUsername(options.username);
  if (options.resetPassword && options.password === undefined) {
    throw new ConfigProblem(
      "MICROTODO_ADMIN_RESET_PASSWORD",
      "true needs MICROTODO_ADMIN_PASSWORD, the new password",
    );
  }
  const existing = await options.store.findUserByUsername(username);
  const outcome = existing ? "exists" : await createAdmin(options, username);
  if (outcome === "created") return outcome;
  if (options.resetPassword) return resetAdmin(options, username);
  if (existing && !existing.roles.includes("admin")) {
    options.logger.warn(
      { username },
      "admin account exists without the admin role; left as is",
    );
  }
  return "exists";
}

async function createAdmin(
  options: BootstrapAdminOptions,
  username: string,
): Promise<"created" | "exists"> {
  const password = options.password ?? randomBytes(18).toString("base64url");
  try {
    await options.core.createAccount({ username, password, roles: ["user", "admin"] });
  } catch (err) {
    // Another replica created it first; its password is the one that counts.
    if (err instanceof AuthError && err.kind === "already_exists") return "exists";
    throw passwordProblem(err);
  }
  if (options.password === undefined) {
    const print = options.printSecret ?? ((text: string) => process.stderr.write(text));
    print(
      `\nmicrotodo auth: created the admin account "${username}" with password:\n\n` +
        `    ${password}\n\nIt is shown only this once. Lost it? Start auth once with\n` +
        "MICROTODO_ADMIN_PASSWORD set and MICROTODO_ADMIN_RESET_PASSWORD=true.\n\n",
    );
  }
  return "created";
}

async function resetAdmin(
  options: BootstrapAdminOptions,
  username: string,
): Promise<"reset"> {
  const password = options.password ?? "";
  let reset: Awaited<ReturnType<AuthCore["resetPassword"]>>;
  try {
    reset = await options.core.resetPassword({ username, password });
  } catch (err) {
    throw passwordProblem(err);
  }
  const adminRoleAdded = await options.store.addUserRole(reset.userId, "admin");
  // Warn: whoever runs the service should know the credentials changed.
  options.logger.warn(
    {
      username,
      userId: reset.userId,
      adminRoleAdded,
      revokedSessions: reset.revokedSessions,
    },
    "admin password reset from the environment",
  );
  return "reset";
}

function passwordProblem(err: unknown): unknown {
  return err instanceof AuthError
    ? new ConfigProblem("MICROTODO_ADMIN_PASSWORD", err.message)
    : err;
}

function adminUsername(raw: string): string {
  try {
    return parseUsername(raw);
  } catch (err) {
    throw new ConfigProblem("MICROTODO_ADMIN_USERNAME", (err as Error).message);
  }
}
