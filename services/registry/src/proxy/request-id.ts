import { randomUUID } from "node:crypto";

const maxRequestIdChars = 128;

/** The caller's `x-request-id` when it is sane (1..128 characters from
 * `A-Za-z0-9-_.:/+=`), else a fresh UUID. A sane id is kept so that a call
 * can be traced across services; anything else could smuggle log noise. */
export function requestIdFrom(incoming: string): string {
  return isSaneRequestId(incoming) ? incoming : randomUUID();
}

/** 1..128 characters from `A-Za-z0-9-_.:/+=`. */
export function isSaneRequestId(value: string): boolean {
  if (value.length === 0 || value.length > maxRequestIdChars) {
    return false;
  }
  for (let i = 0; i < value.length; i++) {
    if (!isIdChar(value.charCodeAt(i))) {
      return false;
    }
  }
  return true;
}

function isIdChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || // a-z
    (c >= 65 && c <= 90) || // A-Z
    (c >= 45 && c <= 58) || // - . / 0-9 :
    c === 95 || // _
    c === 43 || // +
    c === 61 // =
  );
}
