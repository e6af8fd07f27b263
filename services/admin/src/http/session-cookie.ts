import type { CookieSerializeOptions } from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";

/** The session cookie's name. */
export const sessionCookieName = "microtodo_admin";

/**
 * Not readable by scripts, never sent on cross-site requests, for the
 * whole site, Secure when the request came over https. No Max-Age: the
 * browser forgets the cookie when it closes, and the server ends the
 * session sooner (idle, lifetime).
 */
const attributes: CookieSerializeOptions = {
  httpOnly: true,
  sameSite: "strict",
  path: "/",
  secure: "auto",
};

/** The session id the request's cookie names, if any (parsed by @fastify/cookie). */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  const id = request.cookies[sessionCookieName];
  return id === "" ? undefined : id;
}

/** Sets the session cookie on the answer. */
export function setSessionCookie(reply: FastifyReply, id: string): void {
  reply.setCookie(sessionCookieName, id, attributes);
}

/** Tells the browser to drop the session cookie (Max-Age=0, same attributes). */
export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(sessionCookieName, attributes);
}
