// Fractional keys order the tasks of a list: a task moved between two
// others gets a key between theirs, so a move rewrites one row and never
// renumbers the list.
//
// A key is an integer part followed by an optional fraction, both written
// with the 62 ASCII digits below (ascending in byte order, so keys compare
// correctly as plain strings in JavaScript, SQLite and Redis).
// The integer part is one head character that fixes how many digits follow
// ('a' = 1 digit, 'b' = 2, … for the region above zero; 'Z' = 1 digit,
// 'Y' = 2, … below it) and then those digits. Appending at the end just
// increments the integer part, so keys grow by one character per 62^n
// appends instead of one per handful. The fraction never ends in '0', which
// keeps every point representable and leaves room between any two keys.

const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE = DIGITS.length;
const MAX_INTEGER_DIGITS = 26;

/** The key of the first task placed in an empty list. */
export const FIRST_KEY = "a0";

/**
 * A key strictly between `lo` and `hi` (null meaning the open end).
 * Throws a RangeError when `lo >= hi` or a key is malformed.
 */
export function keyBetween(lo: string | null, hi: string | null): string {
  if (lo !== null) checkKey(lo);
  if (hi !== null) checkKey(hi);
  if (lo !== null && hi !== null && lo >= hi) {
    throw new RangeError(`fractional keys out of order: ${lo} >= ${hi}`);
  }
  if (lo === null && hi === null) return FIRST_KEY;
  if (lo === null) return keyBelow(hi as string);
  if (hi === null) return incrementInteger(integerPart(lo));
  return keyInside(lo, hi);
}

/** Whether `key` is a well-formed fractional key. */
export function isFractionalKey(key: string): boolean {
  try {
    checkKey(key);
    return true;
  } catch {
    return false;
  }
}

function keyBelow(hi: string): string {
  const int = integerPart(hi);
  // The bare integer sorts before the same integer with a fraction.
  return hi.length > int.length ? int : decrementInteger(int);
}

function keyInside(lo: string, hi: string): string {
  const loInt = integerPart(lo);
  const hiInt = integerPart(hi);
  if (loInt === hiInt) {
    return loInt + fractionBetween(lo.slice(loInt.length), hi.slice(hiInt.length));
  }
  const next = incrementInteger(loInt);
  return next < hi ? next : loInt + fractionBetween(lo.slice(loInt.length), null);
}

/**
 * Digits strictly between two fractions read as base-62 numbers 0.xxx;
 * `hi` null stands for 1. Neither input ends in '0' and neither does the result.
 */
function fractionBetween(lo: string, hi: string | null): string {
  let prefix = "";
  for (let i = 0; ; i++) {
    const low = i < lo.length ? digitValue(lo[i] as string) : 0;
    const high =
      hi === null ? BASE : i < (hi as string).length ? digitValue(hi[i] as string) : 0;
    if (low === high) {
      prefix += DIGITS[low];
      continue;
    }
    if (high - low > 1) return prefix + DIGITS[Math.floor((low + high) / 2)];
    // Adjacent digits leave no room here: keep lo's digit, then anything
    // above the rest of lo is still below hi.
    return prefix + DIGITS[low] + fractionBetween(lo.slice(i + 1), null);
  }
}

function integerDigits(head: string): number {
  return head >= "a" ? head.charCodeAt(0) - 96 : 91 - head.charCodeAt(0);
}

function integerPart(key: string): string {
  return key.slice(0, 1 + integerDigits(key[0] as string));
}

function incrementInteger(int: string): string {
  const head = int[0] as string;
  const body = int.slice(1);
  const bumped = addOne(body);
  if (bumped !== undefined) return head + bumped;
  // The body overflowed: move to the next head with all-'0' digits.
  if (head === "Z") return "a0";
  const nextHead = String.fromCharCode(head.charCodeAt(0) + 1);
  if (head >= "a" && integerDigits(nextHead) > MAX_INTEGER_DIGITS) {
    throw new RangeError("fractional key space exhausted above");
  }
  return nextHead + "0".repeat(integerDigits(nextHead));
}

function decrementInteger(int: string): string {
  const head = int[0] as string;
  const body = int.slice(1);
  const lowered = subtractOne(body);
  if (lowered !== undefined) return head + lowered;
  if (head === "a") return "Zz";
  const previousHead = String.fromCharCode(head.charCodeAt(0) - 1);
  if (head < "a" && integerDigits(previousHead) > MAX_INTEGER_DIGITS) {
    throw new RangeError("fractional key space exhausted below");
  }
  return previousHead + "z".repeat(integerDigits(previousHead));
}

function addOne(digits: string): string | undefined {
  const out = digits.split("");
  for (let i = out.length - 1; i >= 0; i--) {
    const value = digitValue(out[i] as string);
    if (value < BASE - 1) {
      out[i] = DIGITS[value + 1] as string;
      return out.join("");
    }
    out[i] = "0";
  }
  return undefined;
}

function subtractOne(digits: string): string | undefined {
  const out = digits.split("");
  for (let i = out.length - 1; i >= 0; i--) {
    const value = digitValue(out[i] as string);
    if (value > 0) {
      out[i] = DIGITS[value - 1] as string;
      return out.join("");
    }
    out[i] = "z";
  }
  return undefined;
}

function digitValue(char: string): number {
  const value = DIGITS.indexOf(char);
  if (value < 0)
    throw new RangeError(`not a fractional key digit: ${JSON.stringify(char)}`);
  return value;
}

function checkKey(key: string): void {
  const head = key[0];
  if (head === undefined || !/[A-Za-z]/.test(head)) {
    throw new RangeError(`malformed fractional key: ${JSON.stringify(key)}`);
  }
  if (integerDigits(head) > MAX_INTEGER_DIGITS || key.length < 1 + integerDigits(head)) {
    throw new RangeError(`malformed fractional key: ${JSON.stringify(key)}`);
  }
  for (const char of key.slice(1)) digitValue(char);
  if (key.length > 1 + integerDigits(head) && key.endsWith("0")) {
    throw new RangeError(`malformed fractional key (fraction ends in 0): ${key}`);
  }
}
