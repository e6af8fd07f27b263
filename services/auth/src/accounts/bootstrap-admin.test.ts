import { Role } from "@microtodo/api/auth";
import { afterEach, describe, expect, it } from "vitest";
import type { AuthHarness } from "../testing/auth-harness.js";
import { startAuthHarness } from "../testing/auth-harness.js";
import { bootstrapAdmin } from "./bootstrap-admin.js";

let harness: AuthHarness | undefined;
afterEach(async () => {
  await harness?.close();
});

describe("bootstrapAdmin", () => {
  it("creates the first admin with a random password printed once", async () => {
    harness = await startAuthHarness();
    const printed: string[] = [];
    const options = {
      ...harness,
      username: "Admin",
      printSecret: (text: string) => printed.push(text),
    };
    expect(await bootstrapAdmin(options)).toBe("created");
    expect(await bootstrapAdmin(options)).toBe("exists");
    expect(printed).toHaveLength(1);
    const password = /password:\s+(\S+)/.exec(printed[0] ?? "")?.[1] ?? "";
    expect(password.length).toBeGreaterThanOrEqual(20);
    const { user } = await harness.client.login({ username: "admin", password });
    expect(user?.roles).toEqual([Role.USER, Role.ADMIN]);
  });

  it("uses the configured password and prints nothing", async () => {
    harness = await startAuthHarness();
    const printed: string[] = [];
    const password = "a configured admin secret";
    await bootstrapAdmin({
      ...harness,
      username: "root",
      password,
      printSecret: (text) => printed.push(text),
    });
    expect(printed).toEqual([]);
    await harness.client.login({ username: "root", password });
  });
});

describe("bootstrapAdmin configuration errors", () => {
  it("names the variable when the configured password breaks the policy", async () => {
    harness = await startAuthHarness();
    await expect(
      bootstrapAdmin({ ...harness, username: "root", password: "password1" }),
    ).rejects.toThrowError(/^MICROTODO_ADMIN_PASSWORD: password: too common/);
    await expect(bootstrapAdmin({ ...harness, username: "x" })).rejects.toThrowError(
      /^MICROTODO_ADMIN_USERNAME: username:/,
    );
  });
});
