import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { AuthService, LookupUsersResponseSchema, UserSchema } from "@microtodo/api/auth";
import { describe, expect, it } from "vitest";
import { createAuthUserDirectory } from "./auth-user-directory.js";

// A stand-in AuthService: LookupUsers is auth's contract, implemented here
// just far enough to answer from a fixed table and record what it was sent.
function fakeAuth(known: Record<string, string>) {
  const seen: { authorization: string | null; usernames: string[] }[] = [];
  const transport = createRouterTransport(({ service }) => {
    service(AuthService, {
      async lookupUsers(request, ctx) {
        const authorization = ctx.requestHeader.get("authorization");
        seen.push({ authorization, usernames: request.usernames });
        if (authorization !== "Bearer caller-token") {
          throw new ConnectError("bad token", Code.Unauthenticated);
        }
        const users = request.usernames
          .filter((name) => known[name] !== undefined)
          .map((name) => create(UserSchema, { id: known[name], username: name }));
        return create(LookupUsersResponseSchema, { users });
      },
    });
  });
  return { transport, seen };
}

describe("createAuthUserDirectory", () => {
  it("resolves usernames through LookupUsers, forwarding the caller's token", async () => {
    const auth = fakeAuth({ alice: "id-a", bob: "id-b" });
    const directory = createAuthUserDirectory({ transport: async () => auth.transport });
    const found = await directory.lookup(["ALICE", "bob", "nobody"], "caller-token");
    expect([...found.entries()]).toEqual([
      ["alice", { id: "id-a", username: "alice" }],
      ["bob", { id: "id-b", username: "bob" }],
    ]);
    expect(auth.seen).toEqual([
      { authorization: "Bearer caller-token", usernames: ["alice", "bob", "nobody"] },
    ]);
  });

  it("splits long lookups into calls of at most 100 usernames", async () => {
    const auth = fakeAuth({ user150: "id-150" });
    const directory = createAuthUserDirectory({ transport: async () => auth.transport });
    const names = Array.from({ length: 250 }, (_, i) => `user${i}`);
    const found = await directory.lookup(names, "caller-token");
    expect(found.get("user150")?.id).toBe("id-150");
    expect(auth.seen.map((call) => call.usernames.length)).toEqual([100, 100, 50]);
  });

  it("passes auth's refusal on as the ConnectError it is", async () => {
    const auth = fakeAuth({});
    const directory = createAuthUserDirectory({ transport: async () => auth.transport });
    await expect(directory.lookup(["alice"], "stale-token")).rejects.toMatchObject({
      code: Code.Unauthenticated,
    });
  });
});
