import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Code, ConnectError } from "@connectrpc/connect";
import { Role } from "@microtodo/api/auth";
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteAuthStore } from "./store/sqlite-auth-store.js";
import { startAuthHarness } from "./testing/auth-harness.js";

const folder = mkdtempSync(join(tmpdir(), "auth-main-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(folder, { recursive: true, force: true });
});

const mainScript = fileURLToPath(new URL("./main.ts", import.meta.url));

interface Run {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<number | null>;
}

function startMain(env: Record<string, string>): Run {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions", "source", mainScript],
    {
      env: {
        ...process.env,
        MICROTODO_PORT: "0",
        MICROTODO_DATA_DIR: folder,
        MICROTODO_REGISTRY_URL: "",
        MICROTODO_LOG_LEVEL: "info",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
  const output = { stdout: "", stderr: "" };
  child.stdout?.on("data", (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return { child, output, exited };
}

async function until(check: () => boolean, what: string, exited: Promise<unknown>) {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const deadline = Date.now() + 45_000;
  while (!check()) {
    if (done || Date.now() > deadline) throw new Error(`never saw ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function withStore<T>(
  use: (h: Awaited<ReturnType<typeof startAuthHarness>>) => Promise<T>,
) {
  const harness = await startAuthHarness({
    store: createSqliteAuthStore({ path: join(folder, "auth.sqlite") }),
  });
  try {
    return await use(harness);
  } finally {
    await harness.close();
  }
}

describe("auth main with MICROTODO_ADMIN_RESET_PASSWORD", () => {
  it("exits 2 naming the variable for a rejected password, then resets the admin with a good one", {
    timeout: 120_000,
  }, async () => {
    const oldPassword = "the password nobody wrote down";
    const newPassword = "a fresh admin secret from the environment";
    await withStore((h) =>
      h.core.createAccount({ username: "admin", password: oldPassword, roles: ["user"] }),
    );

    const refused = startMain({
      MICROTODO_ADMIN_RESET_PASSWORD: "true",
      MICROTODO_ADMIN_PASSWORD: "password1",
    });
    expect(await refused.exited).toBe(2);
    expect(refused.output.stderr).toMatch(
      /^\s+MICROTODO_ADMIN_PASSWORD: password: too common/m,
    );

    const run = startMain({
      MICROTODO_ADMIN_RESET_PASSWORD: "true",
      MICROTODO_ADMIN_PASSWORD: newPassword,
    });
    await until(
      () => run.output.stdout.includes('"msg":"listening"'),
      "listening",
      run.exited,
    );
    const reset = run.output.stdout
      .split("\n")
      .filter((line) => line.includes("admin password reset from the environment"));
    expect(reset).toHaveLength(1);
    expect(JSON.parse(reset[0] ?? "{}")).toMatchObject({ level: 40, username: "admin" });
    expect(run.output.stdout + run.output.stderr).not.toContain(newPassword);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);

    await withStore(async (h) => {
      const { user } = await h.client.login({ username: "admin", password: newPassword });
      expect(user?.roles).toEqual([Role.USER, Role.ADMIN]);
      const old = await h.client
        .login({ username: "admin", password: oldPassword })
        .catch((err: unknown) => ConnectError.from(err));
      expect(old).toBeInstanceOf(ConnectError);
      expect((old as ConnectError).code).toBe(Code.Unauthenticated);
    });
  });
});
