/**
 * A configured value refused after the configuration loaded, by a rule only
 * the domain knows (the password policy, say). main.ts reports it like
 * loadConfig reports a bad variable: one line naming it, exit code 2.
 */
export class ConfigProblem extends Error {
  override readonly name = "ConfigProblem";

  constructor(
    /** The environment variable at fault, e.g. MICROTODO_ADMIN_PASSWORD. */
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
  }
}
