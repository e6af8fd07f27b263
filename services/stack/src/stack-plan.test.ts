import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ManagedProcess } from "./managed-process.js";
import { defaultPorts, planStack } from "./stack-plan.js";

const rootDir = mkdtempSync(join(tmpdir(), "stack-plan-"));
afterAll(() => rmSync(rootDir, { recursive: true, force: true }));

/** A stand-in for auth's built entry point that prints what auth would read. */
function fakeAuthEntry(): void {
  const dist = join(rootDir, "services", "auth", "dist");
  mkdirSync(dist, { recursive: true });
  writeFileSync(
    join(dist, "main.js"),
    `const names = ["MICROTODO_ADMIN_USERNAME", "MICROTODO_ADMIN_PASSWORD",
      "MICROTODO_ADMIN_RESET_PASSWORD"];
    console.log(JSON.stringify(Object.fromEntries(names.map((n) => [n, process.env[n]]))));`,
  );
}

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("planStack", () => {
  // `MICROTODO_ADMIN_PASSWORD=... MICROTODO_ADMIN_RESET_PASSWORD=true make run`
  // relies on this: the stack forwards its own environment to auth.
  test("auth sees the MICROTODO_ADMIN_* variables the stack was started with", async () => {
    fakeAuthEntry();
    const given = {
      MICROTODO_ADMIN_USERNAME: "root",
      MICROTODO_ADMIN_PASSWORD: "a fresh admin secret",
      MICROTODO_ADMIN_RESET_PASSWORD: "true",
    };
    const saved = Object.keys(given).map((name) => [name, process.env[name]] as const);
    Object.assign(process.env, given);
    const lines: string[] = [];
    try {
      const specs = planStack({
        rootDir,
        dataDir: join(rootDir, "data"),
        host: "127.0.0.1",
        ports: defaultPorts,
        todoWeights: [300, 100],
        registrySecret: "secret",
        runFrom: "dist",
      });
      const auth = specs.find((spec) => spec.serviceType === "auth");
      if (!auth) throw new Error("no auth in the plan");
      const proc = new ManagedProcess(auth, {
        line: (_spec, line) => lines.push(line),
        started: () => {},
        crashed: () => {},
      });
      proc.start();
      await until(() => lines.length > 0);
      await proc.stop(1_000);
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(JSON.parse(lines[0] ?? "{}")).toEqual(given);
  });
});
