import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { LoggerService } from "@microtodo/api/logger";
import { afterAll, describe, expect, it } from "vitest";
import { logRecord, temporaryDirectory } from "../testing/log-records.js";
import { openLogStore } from "./log-store.js";

const repoRoot = resolve(import.meta.dirname, "../../../..");
const fixture = resolve(import.meta.dirname, "../testing/logger-process.ts");
const tmp = temporaryDirectory("logger-crash");
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill("SIGKILL");
  tmp.remove();
});

function startLoggerProcess(dbPath: string): Promise<string> {
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions", "source", fixture, dbPath],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] },
  );
  child = proc;
  return new Promise((resolveUrl, reject) => {
    proc.once("exit", (code) => reject(new Error(`logger process exited with ${code}`)));
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).once(
      "line",
      (line) => {
        resolveUrl((JSON.parse(line) as { url: string }).url);
      },
    );
  });
}

describe("durability", () => {
  it("keeps every acknowledged record after kill -9 of the logger process", async () => {
    const dbPath = join(tmp.dir, "logger-crash.sqlite");
    const url = await startLoggerProcess(dbPath);
    const logger = createClient(
      LoggerService,
      createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
    );
    const acked: string[] = [];
    const exited = new Promise((done) => child?.once("exit", done));
    // Three writers keep batches in flight, so the kill lands mid-ingest.
    const writer = async (id: number) => {
      for (let batch = 0; ; batch++) {
        const messages = Array.from({ length: 500 }, (_, i) => `w${id}-b${batch}-r${i}`);
        try {
          await logger.push({
            records: messages.map((message) => logRecord({ message })),
          });
        } catch {
          return;
        }
        acked.push(...messages);
        if (acked.length >= 6_000) child?.kill("SIGKILL");
      }
    };
    await Promise.all([writer(0), writer(1), writer(2)]);
    await exited;
    expect(child?.signalCode).toBe("SIGKILL");
    // The kill left the WAL behind: no clean close checkpointed it.
    expect(existsSync(`${dbPath}-wal`)).toBe(true);

    const store = openLogStore({ path: dbPath });
    try {
      const stored = new Set(
        store.readArrivals({}, 0, store.lastSeq, 1_000_000).records.map((r) => r.message),
      );
      const missing = acked.filter((message) => !stored.has(message));
      expect(acked.length).toBeGreaterThanOrEqual(6_000);
      expect(missing).toEqual([]);
    } finally {
      store.close();
    }
  });
});
