import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { type RedisServer, startRedisServer } from "@microtodo/kit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAuthHarness } from "../testing/auth-harness.js";
import { createRedisAuthStore } from "./redis-auth-store.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

describe("auth on Redis", () => {
  it("shares accounts, keys and sessions between two replicas", async () => {
    const keyPrefix = `flow:${randomUUID()}:`;
    const a = await startAuthHarness({
      store: createRedisAuthStore({
        redis: new Redis(redis.url, { maxRetriesPerRequest: 1 }),
        keyPrefix,
      }),
    });
    const b = await startAuthHarness({
      store: createRedisAuthStore({
        redis: new Redis(redis.url, { maxRetriesPerRequest: 1 }),
        keyPrefix,
      }),
    });
    try {
      const password = "correct horse battery staple";
      await a.client.register({ username: "alice", password });
      const { tokens } = await b.client.login({ username: "Alice", password });
      expect((await a.core.publicKeys()).map((k) => k.kid)).toEqual(
        (await b.core.publicKeys()).map((k) => k.kid),
      );
      await a.client.authenticate({ accessToken: tokens?.accessToken ?? "" });
      const refreshToken = tokens?.refreshToken ?? "";
      const results = await Promise.allSettled([
        a.client.refresh({ refreshToken }),
        b.client.refresh({ refreshToken }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const refused = results.find((r) => r.status === "rejected");
      expect(ConnectError.from(refused?.reason).code).toBe(Code.Unauthenticated);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
