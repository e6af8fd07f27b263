import type { FastifyInstance } from "fastify";

/**
 * Request header carrying the TCP peer's address. Set by the hook below on
 * every request, overwriting whatever a client sent, so it cannot be forged.
 */
export const PEER_ADDRESS_HEADER = "x-microtodo-peer-address";

/**
 * The caller's address for login throttling: the last hop of
 * x-forwarded-for, which the registry appends for the peer it accepted the
 * call from, else the TCP peer. Earlier hops come from the client and
 * could be anything, so they are never used. Trusting the last hop
 * assumes auth is reachable only through the registry (the chart's
 * NetworkPolicy); a client that reaches auth directly could pick its own
 * address, but the per-account count still applies to it.
 */
export function clientAddress(headers: Headers): string | undefined {
  const lastHop = headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
  if (lastHop) return lastHop.slice(0, 64);
  return headers.get(PEER_ADDRESS_HEADER) ?? undefined;
}

/** Adds the hook that records each request's TCP peer in PEER_ADDRESS_HEADER. */
export function recordPeerAddress(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    const address = request.raw.socket?.remoteAddress;
    if (address) request.raw.headers[PEER_ADDRESS_HEADER] = address;
    else delete request.raw.headers[PEER_ADDRESS_HEADER];
  });
}
