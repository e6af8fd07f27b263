import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { type ExitInfo, ManagedProcess, type ProcessEvents } from "./managed-process.js";
import type { ProcessSpec } from "./stack-plan.js";

const dir = mkdtempSync(join(tmpdir(), "managed-process-"));

function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

function recorder() {
  const seen = { lines: [] as string[], starts: 0, crashes: [] as ExitInfo[] };
  const events: ProcessEvents = {
    line: (_spec, line) => seen.lines.push(line),
    started: () => seen.starts++,
    crashed: (_spec, exit) => seen.crashes.push(exit),
  };
  return { seen, events };
}

function spec(file: string): ProcessSpec {
  return {
    name: "fixture",
    serviceType: "fixture",
    nodeArgs: [file],
    env: {},
    readyUrl: "",
  };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const fastPolicy = { initialDelayMs: 50, maxDelayMs: 200, stableAfterMs: 60_000 };

describe("ManagedProcess", () => {
  test("a service runs in a process group of its own, out of reach of the terminal's Ctrl-C", async () => {
    const server = script(
      "group.mjs",
      "console.log('ready'); setInterval(() => {}, 1000);",
    );
    const { seen, events } = recorder();
    const proc = new ManagedProcess(spec(server), events, fastPolicy);
    proc.start();
    await until(() => seen.lines.includes("ready"));
    // A terminal's Ctrl-C signals the foreground process group. Signal 0 to
    // the group numbered like the child's pid only reaches anything when
    // the child leads a group of its own; in the supervisor's group it
    // would fail with ESRCH.
    try {
      expect(() => process.kill(-(proc.pid ?? 0), 0)).not.toThrow();
    } finally {
      await proc.stop(1_000);
    }
  });

  test("a process that crashes is reported and started again", async () => {
    const crasher = script(
      "crash.mjs",
      "console.log('up'); setTimeout(() => process.exit(3), 50);",
    );
    const { seen, events } = recorder();
    const proc = new ManagedProcess(spec(crasher), events, fastPolicy);
    proc.start();
    await until(() => seen.starts >= 3);
    await proc.stop(1_000);
    expect(seen.crashes[0]).toEqual({ code: 3, signal: null });
    expect(seen.lines.filter((l) => l === "up").length).toBeGreaterThanOrEqual(2);
  });

  test("a process that refuses its configuration (exit 2) is reported and not restarted", async () => {
    const refuser = script(
      "refuse.mjs",
      "console.error('MICROTODO_PORT: bad'); process.exit(2);",
    );
    const { seen, events } = recorder();
    const refused: ExitInfo[] = [];
    const proc = new ManagedProcess(
      spec(refuser),
      { ...events, refused: (_spec, exit) => refused.push(exit) },
      fastPolicy,
    );
    proc.start();
    await until(() => refused.length === 1);
    // Several restart delays of the fast policy: a restart would show by now.
    await new Promise((r) => setTimeout(r, 400));
    await proc.stop(1_000);
    expect(refused).toEqual([{ code: 2, signal: null }]);
    expect(seen.starts).toBe(1);
    expect(seen.crashes).toEqual([]);
  });

  test("a process killed with SIGKILL comes back", async () => {
    const server = script(
      "idle.mjs",
      "console.log('ready'); setInterval(() => {}, 1000);",
    );
    const { seen, events } = recorder();
    const proc = new ManagedProcess(spec(server), events, fastPolicy);
    proc.start();
    await until(() => seen.lines.includes("ready"));
    proc.kill("SIGKILL");
    await until(() => seen.starts === 2);
    expect(seen.crashes).toEqual([{ code: null, signal: "SIGKILL" }]);
    await proc.stop(1_000);
  });

  test("stop sends SIGTERM, waits for a clean exit and does not restart", async () => {
    const graceful = script(
      "graceful.mjs",
      "process.on('SIGTERM', () => { console.log('draining'); setTimeout(() => process.exit(0), 100); }); console.log('ready'); setInterval(() => {}, 1000);",
    );
    const { seen, events } = recorder();
    const proc = new ManagedProcess(spec(graceful), events, fastPolicy);
    proc.start();
    await until(() => seen.lines.includes("ready"));
    const exit = await proc.stop(5_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(seen.lines).toContain("draining");
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.starts).toBe(1);
    expect(seen.crashes).toEqual([]);
  });

  test("stop kills a process that ignores SIGTERM after the grace period", async () => {
    const stubborn = script(
      "stubborn.mjs",
      "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);",
    );
    const { seen, events } = recorder();
    const proc = new ManagedProcess(spec(stubborn), events, fastPolicy);
    proc.start();
    await until(() => seen.lines.includes("ready"));
    const exit = await proc.stop(300);
    expect(exit.signal).toBe("SIGKILL");
  });
});
