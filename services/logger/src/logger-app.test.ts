import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { LoggerService, type TailResponse } from "@microtodo/api/logger";
import { createMemoryLog } from "@microtodo/kit";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { createLoggerApp } from "./logger-app.js";
import { openLogStore } from "./store/log-store.js";
import { logRecord, temporaryDirectory } from "./testing/log-records.js";

const tmp = temporaryDirectory("logger-app");
const store = openLogStore({ path: join(tmp.dir, "logger-app.sqlite"), sync: "normal" });

afterAll(() => {
  store.close();
  tmp.remove();
});

describe("the logger app", () => {
  it("serves Push and Tail through the kit server and ends open tails when it drains", async () => {
    const logger = pino({ level: "warn" }, createMemoryLog());
    const { server } = await createLoggerApp({ instance: "logger-test", logger, store });
    const { url } = await server.listen({ host: "127.0.0.1", port: 0 });
    const client = createClient(
      LoggerService,
      createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
    );
    await client.push({ records: [logRecord({ message: "seed" })] });
    const seed = (await client.query({ limit: 1 })).records[0]?.cursor ?? "";

    const received: TailResponse[] = [];
    const tail = (async () => {
      for await (const res of client.tail({ afterCursor: seed })) received.push(res);
    })();
    await client.push({ records: [logRecord({ message: "live" })] });
    await expect.poll(() => received.map((r) => r.record?.message)).toEqual(["live"]);

    const started = performance.now();
    await server.close({ timeoutMs: 30_000 });
    await tail;
    // Well under the drain deadline: the tail ended when draining began.
    expect(performance.now() - started).toBeLessThan(10_000);
    const health = await fetch(`${url}/healthz`).catch(() => undefined);
    expect(health).toBeUndefined();
  });
});
