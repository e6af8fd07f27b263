/**
 * The caller's address for login throttling: the last hop of
 * x-forwarded-for, which the registry appends for the peer it accepted the
 * call from, else the TCP peer (the kit's RequestInfo, which no header can
 * forge). Earlier hops come from the client and could be anything, so they
 * are never used. Trusting the last hop assumes auth is reachable only
 * through the registry (the chart's NetworkPolicy); a client that reaches
 * auth directly could pick its own address, but the per-account count
 * still applies to it.
 */
export function clientAddress(
  headers: Headers,
  peerAddress: string | undefined,
): string | undefined {
  const lastHop = headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
  if (lastHop) return lastHop.slice(0, 64);
  return peerAddress;
}
