import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { type ApiContext, requireSession } from "./api-context.js";
import { parseInput } from "./parse-input.js";
import { clearSessionCookie, setSessionCookie } from "./session-cookie.js";

const signInBody = z.strictObject({
  username: z.string().min(1, "is required").max(256, "must be at most 256 characters"),
  password: z.string().min(1, "is required").max(1024, "must be at most 1024 characters"),
});

/** POST, GET and DELETE /api/session: sign in, who am I, sign out. */
export function registerSessionRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.post("/session", async (request, reply) => {
    const { username, password } = parseInput(signInBody, request.body, "body");
    const session = await ctx.sessions.signIn(username, password, request.ip);
    setSessionCookie(reply, session.id);
    return ctx.sessions.view(session);
  });

  api.get("/session", async (request) => {
    const session = await requireSession(ctx, request);
    return ctx.sessions.view(session);
  });

  api.delete("/session", async (request, reply) => {
    const session = await requireSession(ctx, request);
    await ctx.sessions.signOut(session);
    clearSessionCookie(reply);
    return reply.code(204).send();
  });
}
