import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CliUser, createCliUser } from "./testing/cli-runner.js";
import { type FakeStack, startFakeStack } from "./testing/fake-stack.js";

const password = "correct horse\n";
const ttlMs = 900_000;
let stack: FakeStack;
let alice: CliUser;

const storedTokens = async () => {
  const path = join(alice.configDir, "microtodo", "credentials.json");
  return JSON.parse(await readFile(path, "utf8")).registries[stack.url];
};

beforeEach(async () => {
  stack = await startFakeStack({ accessTtlMs: ttlMs });
  alice = await createCliUser(stack.url);
  await alice.run(["register", "alice"], { stdin: password });
});

afterEach(async () => {
  await alice.cleanup();
  await stack.close();
});

describe("token refresh", () => {
  it("refreshes an expired access token before the call and stores the new pair", async () => {
    stack.auth.setAccessTtlMs(1);
    await alice.run(["login", "alice"], { stdin: password });
    stack.auth.setAccessTtlMs(ttlMs);
    const before = await storedTokens();

    expect(await alice.run(["ls"])).toMatchObject({ code: 0, stderr: "" });
    expect(stack.auth.calls.refresh).toBe(1);
    const after = await storedTokens();
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);

    expect((await alice.run(["ls"])).code).toBe(0);
    expect(stack.auth.calls.refresh).toBe(1);
  });

  it("refreshes a token that expires within 30 seconds, not one that lasts longer", async () => {
    await alice.run(["login", "alice"], { stdin: password });
    await alice.run(["ls"], { clockShiftMs: ttlMs - 40_000 });
    expect(stack.auth.calls.refresh).toBe(0);
    await alice.run(["ls"], { clockShiftMs: ttlMs - 20_000 });
    expect(stack.auth.calls.refresh).toBe(1);
  });

  it("refreshes once and retries when the server refuses a token", async () => {
    await alice.run(["login", "alice"], { stdin: password });
    await alice.run(["add", "Buy milk"]);
    stack.auth.revokeAccessTokens();

    const result = await alice.run(["ls"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain("Buy milk");
    expect(stack.auth.calls.refresh).toBe(1);
  });

  it("says the session expired and forgets it when the refresh token is refused", async () => {
    await alice.run(["login", "alice"], { stdin: password });
    stack.auth.revokeRefreshTokens();
    stack.auth.revokeAccessTokens();

    expect(await alice.run(["ls"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "microtodo: session expired: run `microtodo login alice`\n",
    });
    expect(await storedTokens()).toBeUndefined();
  });

  it("spends the refresh token once when several commands refresh at the same time", async () => {
    stack.auth.setAccessTtlMs(1);
    await alice.run(["login", "alice"], { stdin: password });
    stack.auth.setAccessTtlMs(ttlMs);

    const results = await Promise.all([1, 2, 3, 4].map(() => alice.run(["ls"])));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(stack.auth.calls.refresh).toBe(1);
  });
});
