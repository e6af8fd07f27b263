import { describe, expect, it } from "vitest";
import { FIRST_KEY, isFractionalKey, keyBetween } from "./fractional-key.js";

describe("keyBetween", () => {
  it("starts an empty list at the first key", () => {
    expect(keyBetween(null, null)).toBe(FIRST_KEY);
  });

  it("crosses integer lengths in order at the ends", () => {
    expect(keyBetween("az", null)).toBe("b00");
    expect(keyBetween("bzz", null)).toBe("c000");
    expect(keyBetween(null, "a0")).toBe("Zz");
    expect(keyBetween(null, "Z0")).toBe("Yzz");
    expect(keyBetween("Zz", "a0")).toBe("ZzV");
    expect(keyBetween(null, "a0V")).toBe("a0");
  });

  it("keeps keys short when appending or prepending thousands of times", () => {
    const appended = [FIRST_KEY];
    const prepended = [FIRST_KEY];
    for (let i = 0; i < 5000; i++) {
      appended.push(keyBetween(appended.at(-1) as string, null));
      prepended.unshift(keyBetween(null, prepended[0] as string));
    }
    expect([...appended].sort()).toEqual(appended);
    expect([...prepended].sort()).toEqual(prepended);
    const last = appended.at(-1) as string;
    const first = prepended[0] as string;
    expect(last.length).toBeLessThanOrEqual(4);
    expect(first.length).toBeLessThanOrEqual(4);
  });

  it("keeps a list in order through random inserts, every key unique and valid", () => {
    const keys: string[] = [];
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let i = 0; i < 3000; i++) {
      const at = Math.floor(random() * (keys.length + 1));
      const key = keyBetween(keys[at - 1] ?? null, keys[at] ?? null);
      keys.splice(at, 0, key);
    }
    expect([...keys].sort()).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every(isFractionalKey)).toBe(true);
  });

  it("finds room between adjacent keys by growing the fraction", () => {
    let lo = "a0";
    const hi = "a1";
    for (let i = 0; i < 100; i++) {
      const mid = keyBetween(lo, hi);
      expect(mid > lo && mid < hi).toBe(true);
      expect(mid.endsWith("0")).toBe(false);
      lo = mid;
    }
  });

  it("refuses bounds out of order or malformed", () => {
    expect(() => keyBetween("a1", "a0")).toThrow(RangeError);
    expect(() => keyBetween("a1", "a1")).toThrow(RangeError);
    expect(() => keyBetween("a10", null)).toThrow(RangeError);
    expect(() => keyBetween("!", null)).toThrow(RangeError);
    expect(() => keyBetween("b0", null)).toThrow(RangeError);
  });
});
