import { Code, ConnectError } from "@connectrpc/connect";

/** A command line the CLI cannot understand; exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  /** The command whose help explains the fix, when known. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/** A failure with a message written for the user as is; exits 1. */
export class CliError extends Error {
  override readonly name = "CliError";
}

/** The user pressed Ctrl-C at a prompt; exits 130 like a shell would. */
export class InterruptedError extends Error {
  override readonly name = "InterruptedError";
}

const networkErrorCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
]);

/** The exit code for an error that ended a command. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return 2;
  if (err instanceof InterruptedError) return 130;
  return 1;
}

/** One line saying what went wrong, without the "microtodo: " prefix. */
export function describeError(err: unknown, registryUrl: string): string {
  const own = ownError(err);
  if (own) return singleLine(own.message);
  if (err instanceof ConnectError) return describeConnectError(err, registryUrl);
  if (err instanceof Error) return singleLine(err.message);
  return singleLine(String(err));
}

// Connect wraps whatever a transport throws; a CliError raised while
// fetching a token (for example "not logged in") must keep its own words.
function ownError(err: unknown): CliError | UsageError | undefined {
  if (err instanceof CliError || err instanceof UsageError) return err;
  if (err instanceof ConnectError) return ownError(err.cause);
  return undefined;
}

function describeConnectError(err: ConnectError, registryUrl: string): string {
  const cause = err.cause as { code?: unknown } | undefined;
  if (typeof cause?.code === "string" && networkErrorCodes.has(cause.code)) {
    return singleLine(
      `cannot reach the registry at ${registryUrl} (${err.rawMessage}); ` +
        "is it running? set --registry or MICROTODO_REGISTRY_PUBLIC_URL",
    );
  }
  const what = codeWords(err.code);
  return singleLine(err.rawMessage ? `${what}: ${err.rawMessage}` : what);
}

/** "NotFound" → "not found": Connect's code names as plain words. */
export function codeWords(code: Code): string {
  const name = Code[code] ?? "unknown";
  return name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** True for the Connect error a server answers when a token is refused. */
export function isUnauthenticated(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.Unauthenticated;
}

function singleLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}
