import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import type { AuthHarness } from "../testing/auth-harness.js";
import { startAuthHarness } from "../testing/auth-harness.js";
import { lockoutDelayMs } from "./login-throttle.js";

const password = "correct horse battery staple";
// The registry appends the peer it accepted the call from; earlier hops
// are whatever the client sent.
const from = (address: string) => ({
  headers: { "x-forwarded-for": `10.9.9.9, ${address}` },
});

let harness: AuthHarness | undefined;
afterEach(async () => {
  await harness?.close();
});

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (err) {
    const e = ConnectError.from(err);
    if (e.code === Code.ResourceExhausted)
      return `locked ${e.metadata.get("retry-after")}s`;
    return Code[e.code];
  }
}

describe("login throttling", () => {
  it("locks an account with growing delays and a success resets the count", async () => {
    let nowMs = 1_700_000_000_000;
    harness = await startAuthHarness({ now: () => nowMs });
    const { client } = harness;
    await client.register({ username: "alice", password });
    const wrong = () => client.login({ username: "alice", password: "wrong password!" });
    for (let i = 0; i < 5; i++) expect(await outcome(wrong())).toBe("Unauthenticated");

    expect(await outcome(client.login({ username: "alice", password }))).toBe(
      "locked 1s",
    );
    nowMs += 1_000;
    expect(await outcome(wrong())).toBe("Unauthenticated");
    expect(await outcome(wrong())).toBe("locked 2s");
    nowMs += 2_000;
    expect(await outcome(wrong())).toBe("Unauthenticated");
    expect(await outcome(wrong())).toBe("locked 4s");
    nowMs += 4_000;

    expect(await outcome(client.login({ username: "alice", password }))).toBe("ok");
    expect(await outcome(wrong())).toBe("Unauthenticated");
    expect(await outcome(client.login({ username: "alice", password }))).toBe("ok");
  });

  it("locks unknown accounts exactly like existing ones", async () => {
    const nowMs = 1_700_000_000_000;
    harness = await startAuthHarness({ now: () => nowMs });
    const attempt = () =>
      harness?.client.login({ username: "nobody", password }) ?? Promise.reject();
    for (let i = 0; i < 5; i++) expect(await outcome(attempt())).toBe("Unauthenticated");
    const err = ConnectError.from(await attempt().catch((e: unknown) => e));
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toBe("too many failed logins; retry in 1 s");
  });

  it("locks a client address across accounts, not other addresses", async () => {
    const nowMs = 1_700_000_000_000;
    harness = await startAuthHarness({
      now: () => nowMs,
      settings: {
        throttle: {
          accountThreshold: 5,
          addressThreshold: 3,
          baseDelayMs: 1_000,
          maxDelayMs: 60_000,
          failureWindowMs: 3_600_000,
        },
      },
    });
    const { client } = harness;
    await client.register({ username: "victim", password });
    for (const name of ["a-1", "a-2", "a-3"]) {
      expect(
        await outcome(client.login({ username: name, password }, from("203.0.113.7"))),
      ).toBe("Unauthenticated");
    }
    expect(
      await outcome(client.login({ username: "victim", password }, from("203.0.113.7"))),
    ).toBe("locked 1s");
    expect(
      await outcome(client.login({ username: "victim", password }, from("198.51.100.2"))),
    ).toBe("ok");
  });

  it("caps the delay", () => {
    const settings = { baseDelayMs: 1_000, maxDelayMs: 900_000 };
    expect([4, 5, 6, 7].map((n) => lockoutDelayMs(n, 5, settings))).toEqual([
      0, 1_000, 2_000, 4_000,
    ]);
    expect(lockoutDelayMs(1_000, 5, settings)).toBe(900_000);
  });
});
