import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allCommands } from "./commands/all-commands.js";
import { type CliUser, createCliUser } from "./testing/cli-runner.js";

let user: CliUser;

beforeAll(async () => {
  user = await createCliUser("http://127.0.0.1:9");
});

afterAll(() => user.cleanup());

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 9;
}

describe("help", () => {
  it("lists every command in microtodo --help", async () => {
    const result = await user.run(["--help"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    for (const command of allCommands) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command.name}\\b`, "m"));
    }
  });

  it.each(allCommands.map((c) => [c.name]))("prints help for '%s'", async (name) => {
    const words = name.split(" ");
    for (const argv of [
      [...words, "--help"],
      [...words, "-h"],
      ["help", ...words],
    ]) {
      const result = await user.run(argv);
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout).toMatch(new RegExp(`^Usage: microtodo ${name}\\b`));
    }
  });

  it("prints the version", async () => {
    expect(await user.run(["--version"])).toEqual({
      code: 0,
      stdout: "microtodo 0.1.0\n",
      stderr: "",
    });
  });
});

describe("usage errors", () => {
  it.each([
    [[], "missing command; try 'microtodo --help'"],
    [["frobnicate"], "unknown command 'frobnicate' (see 'microtodo --help')"],
    [["add"], "missing <title...> for 'add' (see 'microtodo add --help')"],
    [
      ["add", "x", "--colour", "red"],
      "unknown option '--colour' (see 'microtodo add --help')",
    ],
    [
      ["show", "a", "b"],
      "unexpected argument 'b' for 'show' (see 'microtodo show --help')",
    ],
    [
      ["ls", "--done", "--open"],
      "--done and --open exclude each other (see 'microtodo ls --help')",
    ],
    [
      ["ls", "--sort", "title"],
      "--sort must be position or due, got 'title' (see 'microtodo ls --help')",
    ],
    [
      ["add", "x", "--due", "2026-02-30"],
      "--due '2026-02-30' is not a real date and time (see 'microtodo add --help')",
    ],
    [
      ["add", "x", "--due", "2026-12-24", "--tz", "Europe/Paris"],
      "--tz needs a time in --due, as in --due 2026-12-24T10:00 (see 'microtodo add --help')",
    ],
    [
      ["add", "x", "--due", "2026-12-24T10:00", "--tz", "Mars/Olympus"],
      "--tz must be an IANA time zone such as Europe/Paris, got 'Mars/Olympus' (see 'microtodo add --help')",
    ],
    [
      ["edit", "t-1"],
      "nothing to change: give --title, --notes, --due or --no-due (see 'microtodo edit --help')",
    ],
    [
      ["mv", "t-1"],
      "give exactly one of --before ID, --after ID and --list ID (see 'microtodo mv --help')",
    ],
    [
      ["ls", "--registry", "ftp://x"],
      "--registry must be an http:// or https:// URL, got 'ftp://x' (see 'microtodo --help')",
    ],
  ])("exits 2 with one line for %j", async (argv, message) => {
    expect(await user.run(argv)).toEqual({
      code: 2,
      stdout: "",
      stderr: `microtodo: ${message}\n`,
    });
  });
});

describe("failures", () => {
  it("turns an unreachable registry into one line and exit code 1", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await user.run(["register", "carol", "--registry", url], {
      stdin: "a password\n",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^microtodo: cannot reach the registry at ${url} \\(connect ECONNREFUSED [^\\n]*\\n$`,
      ),
    );
  });

  it("refuses an empty password from stdin", async () => {
    const result = await user.run(["login", "carol"], { stdin: "\n" });
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: "microtodo: no password given\n",
    });
  });
});
