import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { invalidArgument } from "../domain/todo-errors.js";
import type { StoredTask } from "../store/todo-store.js";

/** Path prefix of the REST facade; the registry routes it here. */
export const REST_ROUTE_PREFIX = "/api/todos";

/** A task as the REST facade shows it (the Todo-Backend shape). */
export interface RestTask {
  readonly id: string;
  readonly title: string;
  readonly completed: boolean;
  /** 1-based rank in its list's order. */
  readonly order: number;
  /** Absolute URL of the task. */
  readonly url: string;
}

/** The JSON of a task at a rank, with its URL under `baseUrl`. */
export function restTask(task: StoredTask, order: number, baseUrl: string): RestTask {
  return {
    id: task.id,
    title: task.title,
    completed: task.completed,
    order,
    url: `${baseUrl}${REST_ROUTE_PREFIX}/${encodeURIComponent(task.id)}`,
  };
}

const hostPattern = /^[A-Za-z0-9.\-_[\]:]+$/;

/**
 * Scheme and host the client used, so `url` works from where it stands:
 * the registry's x-forwarded-proto/x-forwarded-host when proxied, else the
 * Host header. Forwarded headers are not authenticated, but a client that
 * fakes them only changes the URLs in its own responses.
 */
export function requestBaseUrl(request: FastifyRequest): string {
  const forwardedProto = firstValue(request.headers["x-forwarded-proto"]);
  const proto =
    forwardedProto === "http" || forwardedProto === "https"
      ? forwardedProto
      : request.protocol;
  const candidates = [
    firstValue(request.headers["x-forwarded-host"]),
    request.headers.host,
  ];
  const host = candidates.find((value) => value !== undefined && hostPattern.test(value));
  return `${proto}://${host ?? "localhost"}`;
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(",")[0]?.trim() || undefined;
}

const order = z.number().finite();
const createBody = z.object({
  title: z.string(),
  completed: z.boolean().optional(),
  order: order.optional(),
});
const patchBody = z.object({
  title: z.string().optional(),
  completed: z.boolean().optional(),
  order: order.optional(),
});

/** A POST body: title required; completed and order optional; other keys ignored. */
export function parseCreateBody(body: unknown): z.infer<typeof createBody> {
  return parseBody(createBody, body);
}

/** A PATCH body: any of title, completed, order; other keys ignored. */
export function parsePatchBody(body: unknown): z.infer<typeof patchBody> {
  return parseBody(patchBody, body);
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || "body";
  throw invalidArgument(field, issue?.message ?? "invalid");
}
