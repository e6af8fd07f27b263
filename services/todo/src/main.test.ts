import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Visibility } from "@microtodo/api/registry";
import { Permission, TodoService } from "@microtodo/api/todo";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeAuthServer } from "./testing/fake-auth-server.js";
import { startFakeRegistryServer } from "./testing/fake-registry-server.js";
import { createTestIssuer } from "./testing/test-issuer.js";

const folder = mkdtempSync(join(tmpdir(), "todo-main-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(folder, { recursive: true, force: true });
});

const mainScript = fileURLToPath(new URL("./main.ts", import.meta.url));

/** Starts main.ts and resolves with the URL from its "listening" log line. */
function startMain(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions", "source", mainScript],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      const record = JSON.parse(line) as { msg?: string; url?: string };
      if (record.msg === "listening" && record.url) resolve({ child, url: record.url });
    });
    child.once("exit", (code) => reject(new Error(`main exited with ${code}`)));
  });
}

describe("todo main", () => {
  it("starts from the environment, verifies tokens with auth's keys, shares through auth, and exits 0 on SIGTERM", async () => {
    const issuer = await createTestIssuer();
    const alice = await issuer.user("alice");
    const bob = await issuer.user("bob");
    const auth = await startFakeAuthServer(issuer.jwks, [alice, bob]);
    try {
      const { child, url } = await startMain({
        MICROTODO_PORT: "0",
        MICROTODO_DATA_DIR: folder,
        MICROTODO_REGISTRY_URL: "",
        MICROTODO_AUTH_URL: auth.url,
        MICROTODO_LOG_LEVEL: "info",
      });
      const client = createClient(
        TodoService,
        createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
      );
      const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
      const { task } = await client.createTask({ title: "real main" }, as(alice.token));
      await client.shareTask(
        { taskId: task?.id ?? "", username: "bob", permission: Permission.EDIT },
        as(alice.token),
      );
      const seen = await client.getTask({ taskId: task?.id ?? "" }, as(bob.token));
      expect(seen.task?.callerPermission).toBe(Permission.EDIT);
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      await auth.close();
    }
  });

  it("registers as a public todo instance with its REST route and weight, finds auth through the registry, and deregisters on SIGTERM", async () => {
    const issuer = await createTestIssuer();
    const alice = await issuer.user("alice");
    const auth = await startFakeAuthServer(issuer.jwks, [alice]);
    const registry = await startFakeRegistryServer({
      auth: auth.url.replace("http://", ""),
    });
    try {
      const { child, url } = await startMain({
        MICROTODO_PORT: "0",
        MICROTODO_DATA_DIR: folder,
        MICROTODO_REGISTRY_URL: registry.url,
        MICROTODO_AUTH_URL: "",
        MICROTODO_WEIGHT: "250",
      });
      const client = createClient(
        TodoService,
        createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
      );
      const lists = await client.listLists(
        {},
        { headers: { authorization: `Bearer ${alice.token}` } },
      );
      expect(lists.lists).toHaveLength(1);
      await expect.poll(() => registry.registered.length).toBe(1);
      expect(registry.registered[0]).toMatchObject({
        serviceType: "todo",
        address: url.replace("http://", ""),
        visibility: Visibility.PUBLIC,
        weight: 250,
        httpRoutes: ["/api/todos"],
      });
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(registry.deregistered).toEqual(["lease-1"]);
    } finally {
      await registry.close();
      await auth.close();
    }
  });
});
