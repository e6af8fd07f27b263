import type { FastifyReply, FastifyRequest } from "fastify";
import type { InstanceWatch } from "../instances/instance-watch.js";
import type { AdminSession, AdminSessions } from "../session/admin-sessions.js";
import type { TrafficSampler } from "../traffic/traffic-sampler.js";
import type { UpstreamClients } from "../upstream/upstream-clients.js";
import { ApiError } from "./api-error.js";
import { type EventStream, openEventStream } from "./event-stream.js";
import { sessionIdOf } from "./session-cookie.js";

/** Live-stream settings. */
export interface StreamLimits {
  /** Interval of `: ping` comments. */
  readonly heartbeatMs: number;
  /** Streams one session may hold open at once. */
  readonly maxPerSession: number;
  /** Aborts when the server starts shutting down. */
  readonly shutdown: AbortSignal;
}

/** What the /api routes work with. */
export interface ApiContext {
  readonly sessions: AdminSessions;
  readonly upstreams: UpstreamClients;
  readonly watch: InstanceWatch;
  readonly traffic: TrafficSampler;
  readonly streams: StreamLimits;
}

/** The signed-in session of a request, or a 401. */
export function requireSession(
  ctx: ApiContext,
  request: FastifyRequest,
): Promise<AdminSession> {
  return ctx.sessions.authenticate(sessionIdOf(request));
}

/** How a live stream relates to its session. */
export interface SessionStreamOptions {
  /**
   * The stream holds the session in use while it is open, so the idle
   * timeout does not end it (the dashboard's /api/events). Default false.
   */
  readonly keepsSessionAlive?: boolean;
}

/**
 * Opens an event stream counted against the session's limit; the count
 * drops when the stream ends. A session over its limit gets a 429. The
 * stream ends when the session does.
 */
export function openSessionStream(
  ctx: ApiContext,
  session: AdminSession,
  reply: FastifyReply,
  options: SessionStreamOptions = {},
): EventStream {
  if (session.openStreams >= ctx.streams.maxPerSession) {
    throw new ApiError(
      429,
      "resource_exhausted",
      `at most ${ctx.streams.maxPerSession} live streams per session`,
    );
  }
  session.openStreams++;
  const release = options.keepsSessionAlive ? ctx.sessions.keepAlive(session) : undefined;
  const stream = openEventStream(reply, {
    heartbeatMs: ctx.streams.heartbeatMs,
    shutdown: ctx.streams.shutdown,
    // Catches the absolute lifetime running out between sweeps.
    stillWanted: () => ctx.sessions.peek(session.id) !== undefined,
  });
  const endWithSession = () => stream.close();
  const giveBack = () => {
    session.openStreams--;
    release?.();
    session.ended.removeEventListener("abort", endWithSession);
  };
  // Already closed when the server was shutting down as it opened.
  if (stream.signal.aborted) giveBack();
  else stream.signal.addEventListener("abort", giveBack, { once: true });
  if (session.ended.aborted) stream.close();
  else session.ended.addEventListener("abort", endWithSession, { once: true });
  return stream;
}
