import { type EnvParse, type EnvVarOptions, envVar } from "./env-var.js";

const ok = <T>(value: T): EnvParse<T> => ({ ok: true, value });
const bad = (problem: string): EnvParse<never> => ({ ok: false, problem });

/** A free-form string; required unless a default is given. */
export function envString(options: EnvVarOptions<string> = {}) {
  return envVar("a non-empty string", (raw) => ok(raw), options);
}

/** A whole number within [min, max]. */
export function envInt(min: number, max: number, options: EnvVarOptions<number> = {}) {
  return envVar(
    `an integer ${min}..${max}`,
    (raw) => parseInteger(raw, min, max),
    options,
  );
}

/** A TCP port, 0..65535 (0 lets the OS pick one). */
export function envPort(options: EnvVarOptions<number> = {}) {
  return envInt(0, 65535, options);
}

function parseInteger(raw: string, min: number, max: number): EnvParse<number> {
  if (!/^-?\d+$/.test(raw.trim())) return bad("is not a number");
  const value = Number(raw);
  if (value < min || value > max) return bad("is out of range");
  return ok(value);
}

/** true/false, also accepting 1/0, yes/no, on/off (any case). */
export function envBoolean(options: EnvVarOptions<boolean> = {}) {
  return envVar("true or false", parseBoolean, options);
}

function parseBoolean(raw: string): EnvParse<boolean> {
  const word = raw.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(word)) return ok(true);
  if (["false", "0", "no", "off"].includes(word)) return ok(false);
  return bad("is not a boolean");
}

/** One of a fixed set of words (exact match). */
export function envEnum<const T extends readonly [string, ...string[]]>(
  values: T,
  options: EnvVarOptions<T[number]> = {},
) {
  const parse = (raw: string): EnvParse<T[number]> =>
    values.includes(raw) ? ok(raw as T[number]) : bad("is not allowed");
  return envVar(`one of ${values.join(", ")}`, parse, options);
}

const durationUnitsMs: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * A duration in milliseconds. A bare number is milliseconds; a unit suffix
 * (ms, s, m, h) is accepted too, so "1500", "1.5s" and "1500ms" are equal.
 */
export function envDurationMs(options: EnvVarOptions<number> = {}) {
  const expected = "milliseconds, or a number with ms, s, m or h (e.g. 1500, 10s)";
  return envVar(expected, (raw) => parseScaled(raw, durationUnitsMs, "ms"), options);
}

const byteUnits: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/**
 * A size in bytes. A bare number is bytes; suffixes kB/MB/GB (powers of 1000)
 * and KiB/MiB/GiB (powers of 1024) are accepted, case-insensitive.
 */
export function envBytes(options: EnvVarOptions<number> = {}) {
  const expected = "bytes, or a number with kB, MB, GB, KiB, MiB or GiB (e.g. 1MiB)";
  return envVar(expected, (raw) => parseScaled(raw, byteUnits, "b"), options);
}

function parseScaled(
  raw: string,
  units: Record<string, number>,
  bareUnit: string,
): EnvParse<number> {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw.trim());
  if (match === null) return bad("is not a number with an optional unit");
  const factor = units[(match[2] || bareUnit).toLowerCase()];
  if (factor === undefined) return bad(`has an unknown unit "${match[2]}"`);
  const value = Math.round(Number(match[1]) * factor);
  return Number.isSafeInteger(value) ? ok(value) : bad("is too large");
}

/** Options for {@link envUrl}. */
export interface EnvUrlOptions extends EnvVarOptions<string> {
  /** Allowed schemes, without the colon. Default ["http", "https"]. */
  protocols?: string[];
}

/**
 * An absolute URL, returned as the string the user gave (trailing slashes
 * trimmed so callers can append paths). With `allowEmpty`, "" is kept as the
 * value, meaning "disabled".
 */
export function envUrl(options: EnvUrlOptions = {}) {
  const protocols = options.protocols ?? ["http", "https"];
  const parse = (raw: string): EnvParse<string> => {
    if (raw === "") return ok("");
    if (!URL.canParse(raw)) return bad("is not a URL");
    const scheme = new URL(raw).protocol.slice(0, -1);
    if (!protocols.includes(scheme)) return bad(`has scheme ${scheme}`);
    return ok(raw.replace(/\/+$/, ""));
  };
  const expected = `an absolute ${protocols.join(" or ")} URL${options.allowEmpty ? " or empty" : ""}`;
  return envVar(expected, parse, options);
}
