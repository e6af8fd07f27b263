import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it } from "vitest";
import { connectionRefused } from "../testing/http-clients.js";
import { TestService } from "../testing/test-service.js";

const fixture = fileURLToPath(
  new URL("./test-fixtures/fixture-service.ts", import.meta.url),
);
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** A fixture service process with its output collected as it arrives. */
interface Child {
  process: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
  /** Resolves with the first JSON log record whose msg is `msg`. */
  waitForLog(msg: string): Promise<Record<string, unknown>>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

function spawnFixture(env: Record<string, string>): Child {
  // --conditions source makes @microtodo/* resolve to their TypeScript
  // sources, which the tsx loader compiles on the fly.
  const proc = spawn(
    process.execPath,
    ["--conditions", "source", "--import", "tsx", fixture],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", MICROTODO_REGISTRY_URL: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(proc);
  const child: Child = {
    process: proc,
    stdout: "",
    stderr: "",
    exited: once(proc, "exit").then(([code]) => code as number | null),
    waitForLog: (msg) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = records(child.stdout).find((r) => r.msg === msg);
          if (found === undefined) return;
          proc.stdout?.off("data", check);
          resolve(found);
        };
        proc.stdout?.on("data", check);
        child.exited.then(() =>
          reject(new Error(`exited before logging "${msg}"\n${child.stderr}`)),
        );
        check();
      }),
  };
  proc.stdout?.setEncoding("utf8").on("data", (chunk: string) => (child.stdout += chunk));
  proc.stderr?.setEncoding("utf8").on("data", (chunk: string) => (child.stderr += chunk));
  return child;
}

function records(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("runService in a real process", () => {
  it("exits with code 2 naming a bad variable", async () => {
    const child = spawnFixture({ MICROTODO_PORT: "abc" });
    expect(await child.exited).toBe(2);
    expect(child.stderr).toContain(
      'MICROTODO_PORT: "abc" is not a number; expected an integer 0..65535',
    );
  });

  it("lets a slow in-flight call finish after SIGTERM, refuses new connections, exits 0", async () => {
    const child = spawnFixture({
      MICROTODO_PORT: "0",
      MICROTODO_SHUTDOWN_TIMEOUT_MS: "10s",
    });
    const { url } = (await child.waitForLog("listening")) as { url: string };
    const overH1 = createClient(
      TestService,
      createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
    );
    const overH2 = createClient(TestService, createGrpcTransport({ baseUrl: url }));
    const slowH1 = overH1.sleep({ value: 1500 });
    const slowH2 = overH2.sleep({ value: 1500 });
    await waitForCount(child, "sleep started", 2);

    child.process.kill("SIGTERM");
    await child.waitForLog("shutting down");
    // The listener closes a few ticks after the log line; poll until it has.
    const port = Number(new URL(url).port);
    while (!(await connectionRefused("127.0.0.1", port))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(records(child.stdout).map((r) => r.msg)).not.toContain("shut down");
    expect((await slowH1).value).toBe("slept 1500 ms");
    expect((await slowH2).value).toBe("slept 1500 ms");
    expect(await child.exited).toBe(0);
    const messages = records(child.stdout).map((r) => r.msg);
    const order = ["shutting down", "onShutdown ran", "shut down"].map((m) =>
      messages.indexOf(m),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[0]).toBeGreaterThan(-1);
  });

  it("exits at once with code 130 on a second signal", async () => {
    const child = spawnFixture({
      MICROTODO_PORT: "0",
      MICROTODO_SHUTDOWN_TIMEOUT_MS: "60s",
    });
    const { url } = (await child.waitForLog("listening")) as { url: string };
    const client = createClient(
      TestService,
      createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
    );
    const slow = client.sleep({ value: 30_000 }).catch(() => "aborted");
    await child.waitForLog("sleep started");
    child.process.kill("SIGTERM");
    await child.waitForLog("shutting down");
    child.process.kill("SIGINT");
    expect(await child.exited).toBe(130);
    expect(await slow).toBe("aborted");
  });
});

async function waitForCount(child: Child, msg: string, count: number): Promise<void> {
  while (records(child.stdout).filter((r) => r.msg === msg).length < count) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
