import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  AuthenticateResponseSchema,
  LoginResponseSchema,
  LogoutResponseSchema,
  RegisterResponseSchema,
  Role,
} from "@microtodo/api/auth";
import { describeError } from "../cli-errors.js";
import type { CommandContext } from "../command-context.js";
import { type CommandSpec, flag, positional } from "../command-spec.js";
import { readNewPassword, readPassword } from "../password-prompt.js";

const passwordStdin = {
  type: "boolean",
  description: "read the password from the first line of stdin, even on a terminal",
} as const;

const passwordDetails =
  "The password is asked for without echo on a terminal, or read from the first\n" +
  "line of stdin when stdin is a pipe or a file. It is never taken from the\n" +
  "command line, where other users could see it.";

/** register: create an account. */
export const registerCommand: CommandSpec = {
  name: "register",
  group: "Account",
  summary: "Create an account",
  args: ["<username>"],
  options: { "password-stdin": passwordStdin },
  details: `${passwordDetails}\nRegistering does not log in: run 'microtodo login' next.`,
  async run(ctx, input) {
    const password = await readNewPassword(
      passwordSource(ctx, flag(input, "password-stdin")),
    );
    const response = await ctx.session.auth.register({
      username: positional(input, 0),
      password,
    });
    if (ctx.json) return ctx.printJson(RegisterResponseSchema, response);
    const user = response.user;
    ctx.print(
      `registered ${user?.username} (${user?.id}); now run: microtodo login ${user?.username}`,
    );
  },
};

/** login: trade a password for tokens kept in the config dir. */
export const loginCommand: CommandSpec = {
  name: "login",
  group: "Account",
  summary: "Log in and keep the tokens in the config directory",
  args: ["<username>"],
  options: { "password-stdin": passwordStdin },
  details:
    `${passwordDetails}\nTokens go to $XDG_CONFIG_HOME/microtodo/credentials.json ` +
    "(or ~/.config/...),\nreadable only by you, one sign-in per registry URL.",
  async run(ctx, input) {
    const password = await readPassword(
      passwordSource(ctx, flag(input, "password-stdin")),
      "Password: ",
    );
    const response = await ctx.session.auth.login({
      username: positional(input, 0),
      password,
    });
    const stored = await ctx.session.saveLogin(response);
    // The tokens stay in the credentials file; --json shows only the user.
    const { user } = response;
    if (ctx.json)
      return ctx.printJson(LoginResponseSchema, create(LoginResponseSchema, { user }));
    ctx.print(`logged in as ${stored.username} at ${ctx.session.registryUrl}`);
  },
};

/** logout: revoke the refresh token and forget the tokens. */
export const logoutCommand: CommandSpec = {
  name: "logout",
  group: "Account",
  summary: "Log out: revoke the session and delete the stored tokens",
  args: [],
  options: {},
  async run(ctx) {
    const stored = await ctx.session.forget();
    if (stored) await revokeQuietly(ctx, stored.refreshToken);
    if (ctx.json)
      return ctx.printJson(LogoutResponseSchema, create(LogoutResponseSchema));
    ctx.print(stored ? `logged out ${stored.username}` : "not logged in");
  },
};

// The local tokens are gone whatever the server says; a failed revoke only
// leaves a refresh token that expires on its own, so it is a note, not a failure.
async function revokeQuietly(ctx: CommandContext, refreshToken: string): Promise<void> {
  try {
    await ctx.session.auth.logout({ refreshToken });
  } catch (err) {
    ctx.note(
      `the server did not revoke the session: ${describeError(err, ctx.session.registryUrl)}`,
    );
  }
}

/** whoami: ask auth whose the stored access token is. */
export const whoamiCommand: CommandSpec = {
  name: "whoami",
  group: "Account",
  summary: "Show who is logged in",
  args: [],
  options: {},
  async run(ctx) {
    const answer = await ctx.session.withAccessToken((accessToken) =>
      ctx.session.auth.authenticate({ accessToken }),
    );
    if (ctx.json) return ctx.printJson(AuthenticateResponseSchema, answer);
    const roles = answer.roles.map((role) => Role[role]?.toLowerCase() ?? String(role));
    const until = answer.expiresAt ? timestampDate(answer.expiresAt).toISOString() : "-";
    ctx.print(`${answer.username} (${answer.userId}) at ${ctx.session.registryUrl}`);
    ctx.print(`roles: ${roles.join(", ") || "-"}; access token valid until ${until}`);
  },
};

function passwordSource(ctx: CommandContext, fromStdin: boolean) {
  return { stdin: ctx.io.stdin, stderr: ctx.io.stderr, fromStdin };
}
