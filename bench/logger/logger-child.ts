// The logger under benchmark, in its own process so that it has a core
// to itself and its memory is its own. Serves the LoggerService over the
// store at argv[2] and prints its URL. On stdin, "stats" answers with its
// memory after a GC and the CPU time it has used; "exit" closes the
// store and exits.
import { createInterface } from "node:readline";
import { openLogStore, serveLogger } from "@microtodo/logger";

const path = process.argv[2];
if (!path) throw new Error("usage: logger-child.ts <database path>");
const store = openLogStore({ path, sync: "full" });
const served = await serveLogger({ store });
process.stdout.write(`${JSON.stringify({ url: served.url })}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  if (line === "stats") {
    globalThis.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    const { user, system } = process.cpuUsage();
    const usedBytes = store.usedBytes();
    const stats = { rss, heapUsed, usedBytes, cpuMs: (user + system) / 1000 };
    process.stdout.write(`${JSON.stringify(stats)}\n`);
  } else if (line === "exit") {
    await served.close();
    store.close();
    process.exit(0);
  }
}
