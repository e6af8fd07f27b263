import type { JWK } from "jose";
import type { JsonWebKeySet, KeySource } from "./key-ring.js";

/** Path of the JWKS document that auth serves. */
export const JWKS_PATH = "/.well-known/jwks.json";

/** Options of createHttpKeySource. */
export interface HttpKeySourceOptions {
  /**
   * Base URL of auth (e.g. "http://127.0.0.1:8082"), or a function giving
   * one per fetch, e.g. an auth instance resolved through the registry.
   */
  readonly baseUrl: string | (() => string | Promise<string>);
  /** Per fetch; default 3000. */
  readonly timeoutMs?: number;
  /** Larger documents are refused; default 262144 (256 KiB). */
  readonly maxBodyBytes?: number;
}

/** A KeySource that GETs `<baseUrl>/.well-known/jwks.json`. */
export function createHttpKeySource(options: HttpKeySourceOptions): KeySource {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const maxBodyBytes = options.maxBodyBytes ?? 262_144;
  return async () => {
    const base =
      typeof options.baseUrl === "string" ? options.baseUrl : await options.baseUrl();
    const url = new URL(JWKS_PATH, base);
    const response = await fetch(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.text();
    if (!response.ok) throw new Error(`GET ${url.href}: HTTP ${response.status}`);
    if (Buffer.byteLength(body) > maxBodyBytes) {
      throw new Error(`GET ${url.href}: body over ${maxBodyBytes} bytes`);
    }
    return parseJwks(JSON.parse(body) as unknown, url.href);
  };
}

function parseJwks(value: unknown, source: string): JsonWebKeySet {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error(`${source}: not a JWKS (no "keys" array)`);
  return { keys: keys.filter((k): k is JWK => typeof k === "object" && k !== null) };
}
