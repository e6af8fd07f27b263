import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliUser, createCliUser } from "./testing/cli-runner.js";
import { type FakeStack, startFakeStack } from "./testing/fake-stack.js";

let stack: FakeStack;
let other: FakeStack;
let alice: CliUser;

const credentialsOf = async (user: CliUser) =>
  JSON.parse(
    await readFile(join(user.configDir, "microtodo", "credentials.json"), "utf8"),
  );

beforeAll(async () => {
  [stack, other] = await Promise.all([startFakeStack(), startFakeStack()]);
  alice = await createCliUser(stack.url);
  await alice.run(["register", "alice"], { stdin: "correct horse\n" });
  await alice.run(["register", "alice", "--registry", other.url], {
    stdin: "other pass\n",
  });
});

afterAll(async () => {
  await alice.cleanup();
  await Promise.all([stack.close(), other.close()]);
});

describe("login", () => {
  it("keeps the tokens in a 0600 file inside a 0700 directory", async () => {
    const login = await alice.run(["login", "alice"], { stdin: "correct horse\n" });
    expect(login).toMatchObject({ code: 0, stderr: "" });
    expect(login.stdout).toBe(`logged in as alice at ${stack.url}\n`);

    const dir = join(alice.configDir, "microtodo");
    expect((await stat(join(dir, "credentials.json"))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const file = await credentialsOf(alice);
    expect(file.registries[stack.url]).toMatchObject({ username: "alice" });
  });

  it("reuses the stored tokens without asking for the password again", async () => {
    const logins = stack.auth.calls.login;
    expect(await alice.run(["ls"])).toMatchObject({
      code: 0,
      stdout: "no tasks\n",
      stderr: "",
    });
    const whoami = await alice.run(["whoami"]);
    expect(whoami.stdout).toMatch(/^alice \(u-/);
    expect(stack.auth.calls.login).toBe(logins);
  });

  it("keeps one sign-in per registry URL so two stacks do not clash", async () => {
    await alice.run(["login", "alice", "--registry", `${other.url}/`], {
      stdin: "other pass\n",
    });
    const file = await credentialsOf(alice);
    expect(Object.keys(file.registries).sort()).toEqual([stack.url, other.url].sort());
    expect(file.registries[stack.url].accessToken).not.toBe(
      file.registries[other.url].accessToken,
    );
    expect((await alice.run(["ls", "--registry", other.url])).code).toBe(0);
    expect((await alice.run(["ls"])).code).toBe(0);
  });

  it("reports a wrong password as one line and exit code 1", async () => {
    const result = await alice.run(["login", "alice"], { stdin: "wrong password\n" });
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: "microtodo: unauthenticated: wrong username or password\n",
    });
  });

  it("prints only the user, never the tokens, with --json", async () => {
    const result = await alice.run(["login", "alice", "--json"], {
      stdin: "correct horse\n",
    });
    const json = JSON.parse(result.stdout);
    expect(json).toEqual({ user: expect.objectContaining({ username: "alice" }) });
  });
});

describe("logout", () => {
  it("revokes the session, forgets it, and leaves other registries alone", async () => {
    const logouts = stack.auth.calls.logout;
    expect(await alice.run(["logout"])).toMatchObject({
      code: 0,
      stdout: "logged out alice\n",
    });
    expect(stack.auth.calls.logout).toBe(logouts + 1);
    expect(Object.keys((await credentialsOf(alice)).registries)).toEqual([other.url]);

    expect(await alice.run(["ls"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "microtodo: not logged in: run `microtodo login <username>`\n",
    });
    expect((await alice.run(["ls", "--registry", other.url])).code).toBe(0);
  });
});
