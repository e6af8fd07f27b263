import { parseConfig } from "@microtodo/kit";
import { describe, expect, it } from "vitest";
import { authConfigSchema, toAuthSettings } from "./auth-config.js";

describe("auth configuration", () => {
  it("defaults to port 8082, SQLite, OWASP's minimum argon2id cost and 15 min tokens", () => {
    const result = parseConfig(authConfigSchema, {});
    if (!result.ok) throw new Error(result.problems.join("\n"));
    expect(result.value).toMatchObject({
      port: 8082,
      redisUrl: "",
      adminUsername: "admin",
    });
    expect(toAuthSettings(result.value)).toMatchObject({
      accessTokenTtlMs: 900_000,
      refreshTokenTtlMs: 30 * 86_400_000,
      hashParams: { memoryKiB: 19_456, timeCost: 2, parallelism: 1 },
    });
  });

  it("resets the admin password only when asked, and only with a password", () => {
    const plain = parseConfig(authConfigSchema, {});
    expect(plain.ok && plain.value.adminResetPassword).toBe(false);
    const reset = parseConfig(authConfigSchema, {
      MICROTODO_ADMIN_RESET_PASSWORD: "true",
      MICROTODO_ADMIN_PASSWORD: "a fresh admin secret",
    });
    expect(reset.ok && reset.value.adminResetPassword).toBe(true);
    const missing = parseConfig(authConfigSchema, {
      MICROTODO_ADMIN_RESET_PASSWORD: "true",
    });
    expect(missing.ok ? [] : missing.problems).toEqual([
      expect.stringMatching(
        /^MICROTODO_ADMIN_RESET_PASSWORD: .*MICROTODO_ADMIN_PASSWORD/,
      ),
    ]);
  });

  it("refuses an argon2id memory cost below 19 MiB", () => {
    const result = parseConfig(authConfigSchema, { MICROTODO_ARGON2_MEMORY_KIB: "4096" });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.some((p) => p.startsWith("MICROTODO_ARGON2_MEMORY_KIB:"))).toBe(true);
  });

  it("refuses a failure window shorter than the longest lockout", () => {
    const result = parseConfig(authConfigSchema, {
      MICROTODO_LOGIN_MAX_DELAY_MS: "2h",
      MICROTODO_LOGIN_FAILURE_WINDOW_MS: "1h",
    });
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(
        /^MICROTODO_LOGIN_FAILURE_WINDOW_MS: .*MICROTODO_LOGIN_MAX_DELAY_MS/,
      ),
    ]);
  });
});
