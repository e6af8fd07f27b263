// A bare logger in its own process, for the crash test: serves the
// LoggerService on a free port over the store at argv[2] and prints its
// URL as one JSON line. It has no signal handling on purpose; the test
// ends it with SIGKILL.
import { openLogStore } from "../store/log-store.js";
import { serveLogger } from "./serve-logger.js";

const path = process.argv[2];
if (!path) {
  process.stderr.write("usage: logger-process.ts <database path>\n");
  process.exit(2);
}
const store = openLogStore({ path, sync: "full" });
const served = await serveLogger({ store });
process.stdout.write(`${JSON.stringify({ url: served.url })}\n`);
