import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { Role } from "@microtodo/api/auth";
import { createMemoryLog, type RedisServer, startRedisServer } from "@microtodo/kit";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AuthStore } from "../store/auth-store.js";
import { createRedisAuthStore } from "../store/redis-auth-store.js";
import { createSqliteAuthStore } from "../store/sqlite-auth-store.js";
import type { AuthHarness } from "../testing/auth-harness.js";
import { startAuthHarness } from "../testing/auth-harness.js";
import { bootstrapAdmin } from "./bootstrap-admin.js";

let harness: AuthHarness | undefined;
afterEach(async () => {
  await harness?.close();
});

let redisServer: RedisServer;
beforeAll(async () => {
  redisServer = await startRedisServer();
});
afterAll(async () => {
  await redisServer?.stop();
});

const stores: [string, () => AuthStore][] = [
  ["SQLite", () => createSqliteAuthStore({ path: ":memory:" })],
  [
    "Redis",
    () =>
      createRedisAuthStore({
        redis: new Redis(redisServer.url, { maxRetriesPerRequest: 1 }),
        keyPrefix: `reset:${randomUUID()}:`,
      }),
  ],
];

const oldPassword = "the password nobody wrote down";
const newPassword = "a fresh admin secret from the environment";

async function rejectionCode(call: Promise<unknown>): Promise<Code | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    return ConnectError.from(err).code;
  }
}

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

describe.each(stores)(
  "bootstrapAdmin with MICROTODO_ADMIN_RESET_PASSWORD on %s",
  (_name, open) => {
    it("sets the new password, grants the admin role and ends every session", async () => {
      harness = await startAuthHarness({ store: open() });
      await harness.core.createAccount({
        username: "root",
        password: oldPassword,
        roles: ["user"],
      });
      const { tokens } = await harness.client.login({
        username: "root",
        password: oldPassword,
      });
      const log = createMemoryLog();
      const outcome = await bootstrapAdmin({
        ...harness,
        logger: pino({ level: "info" }, log),
        username: "root",
        password: newPassword,
        resetPassword: true,
      });
      expect(outcome).toBe("reset");
      const { client } = harness;
      expect(
        await rejectionCode(client.login({ username: "root", password: oldPassword })),
      ).toBe(Code.Unauthenticated);
      expect(
        await rejectionCode(client.refresh({ refreshToken: tokens?.refreshToken ?? "" })),
      ).toBe(Code.Unauthenticated);
      expect(
        await rejectionCode(
          client.authenticate({ accessToken: tokens?.accessToken ?? "" }),
        ),
      ).toBe(Code.Unauthenticated);
      const { user } = await client.login({ username: "root", password: newPassword });
      expect(user?.roles).toEqual([Role.USER, Role.ADMIN]);
      expect(log.records).toEqual([
        expect.objectContaining({
          level: 40,
          msg: "admin password reset from the environment",
          username: "root",
          adminRoleAdded: true,
          revokedSessions: 1,
        }),
      ]);
      expect(JSON.stringify(log.records)).not.toContain(newPassword);
    });

    it("lifts a login lockout of the account", async () => {
      harness = await startAuthHarness({ store: open() });
      await harness.core.createAccount({
        username: "root",
        password: oldPassword,
        roles: ["user", "admin"],
      });
      const wrong = { username: "root", password: "not the password at all" };
      for (let i = 0; i < 5; i++) await rejectionCode(harness.client.login(wrong));
      const right = { username: "root", password: oldPassword };
      expect(await rejectionCode(harness.client.login(right))).toBe(
        Code.ResourceExhausted,
      );
      await bootstrapAdmin({
        ...harness,
        username: "root",
        password: newPassword,
        resetPassword: true,
      });
      await harness.client.login({ username: "root", password: newPassword });
    });
  },
);

describe("bootstrapAdmin reset refusals", () => {
  it("names MICROTODO_ADMIN_PASSWORD when the policy rejects it, and changes nothing", async () => {
    harness = await startAuthHarness();
    await harness.core.createAccount({
      username: "root",
      password: oldPassword,
      roles: ["user"],
    });
    await expect(
      bootstrapAdmin({
        ...harness,
        username: "root",
        password: "password1",
        resetPassword: true,
      }),
    ).rejects.toThrowError(/^MICROTODO_ADMIN_PASSWORD: password: too common/);
    const { user } = await harness.client.login({
      username: "root",
      password: oldPassword,
    });
    expect(user?.roles).toEqual([Role.USER]);
  });

  it("names both variables when a reset has no password", async () => {
    harness = await startAuthHarness();
    await expect(
      bootstrapAdmin({ ...harness, username: "root", resetPassword: true }),
    ).rejects.toThrowError(/^MICROTODO_ADMIN_RESET_PASSWORD: .*MICROTODO_ADMIN_PASSWORD/);
  });

  it("creates the admin when a reset finds no account", async () => {
    harness = await startAuthHarness();
    const outcome = await bootstrapAdmin({
      ...harness,
      username: "root",
      password: newPassword,
      resetPassword: true,
    });
    expect(outcome).toBe("created");
    const { user } = await harness.client.login({
      username: "root",
      password: newPassword,
    });
    expect(user?.roles).toEqual([Role.USER, Role.ADMIN]);
  });
});
