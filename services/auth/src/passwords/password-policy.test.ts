import { describe, expect, it } from "vitest";
import { checkNewPassword, commonPasswordList } from "./password-policy.js";

describe("password policy", () => {
  it("ships a list of at least 10,000 common passwords", () => {
    const list = commonPasswordList();
    expect(list.size).toBeGreaterThanOrEqual(10_000);
    for (const common of ["123456", "password", "qwerty123", "iloveyou"]) {
      expect(list.has(common)).toBe(true);
    }
  });

  it("compares case-insensitively and accepts an uncommon passphrase", () => {
    expect(() => checkNewPassword("PASSWORD1", "alice")).toThrowError(/too common/);
    expect(() => checkNewPassword("ünïcode pässphrase 🐙", "alice")).not.toThrow();
  });

  it("counts characters, not bytes, for the minimum", () => {
    expect(() => checkNewPassword("🐙🐙🐙🐙🐙🐙🐙🐙", "alice")).not.toThrow();
    expect(() => checkNewPassword("🐙🐙🐙🐙🐙🐙🐙", "alice")).toThrowError(/at least 8/);
  });
});
