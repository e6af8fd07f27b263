import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCliUser } from "./testing/cli-runner.js";
import { type FakeStack, startFakeStack } from "./testing/fake-stack.js";

// On Node 20, `--import tsx` loads TypeScript; `--conditions=source` makes
// the workspace packages resolve to their sources, as there is no build.
const main = fileURLToPath(new URL("./main.ts", import.meta.url));
let stack: FakeStack;
let home: string;

interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
}

function microtodo(args: string[], stdin = ""): Promise<Spawned> {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", main, ...args],
    {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        XDG_CONFIG_HOME: join(home, "config"),
        MICROTODO_REGISTRY_PUBLIC_URL: stack.url,
      },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdin.end(stdin);
  return new Promise((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
}

beforeAll(async () => {
  stack = await startFakeStack();
  home = await mkdtemp(join(tmpdir(), "microtodo-main-"));
});

afterAll(async () => {
  await stack.close();
  await rm(home, { recursive: true, force: true });
});

describe("the microtodo executable", () => {
  it("logs in from piped stdin, lists as JSON, and exits once done", async () => {
    const user = await createCliUser(stack.url, home);
    await user.run(["register", "dora"], { stdin: "dora's password\n" });
    await user.run(["login", "dora"], { stdin: "dora's password\n" });
    await user.run(["add", "Water the plants"]);

    expect(await microtodo(["login", "dora"], "dora's password\n")).toEqual({
      code: 0,
      stdout: `logged in as dora at ${stack.url}\n`,
      stderr: "",
    });
    const listed = await microtodo(["ls", "--json"]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).tasks[0].title).toBe("Water the plants");
  });

  it("exits 2 on a usage error", async () => {
    expect(await microtodo(["lists", "--nope"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "microtodo: unknown option '--nope' (see 'microtodo lists --help')\n",
    });
  });
});
