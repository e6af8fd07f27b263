import { randomUUID } from "node:crypto";

/** The header carrying a request's id across services. */
export const requestIdHeader = "x-request-id";

const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Keeps the caller's request id when it is short and plain enough to log and
 * forward safely; otherwise makes a new one.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && saneRequestId.test(value) ? value : randomUUID();
}
