import { ConnectError } from "@connectrpc/connect";

/** The ConnectError a call failed with, or undefined when it succeeded. */
export async function connectErrorOf(
  call: Promise<unknown>,
): Promise<ConnectError | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    return ConnectError.from(err);
  }
}
