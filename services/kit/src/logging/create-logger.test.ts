import { Writable } from "node:stream";
import type { DestinationStream } from "pino";
import { describe, expect, it, vi } from "vitest";
import { createLogger } from "./create-logger.js";

/** A destination that keeps every line written to it. */
function memoryStream(): DestinationStream & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

const records = (stream: { lines: string[] }) =>
  stream.lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe("createLogger", () => {
  it("writes JSON lines carrying service and instance", () => {
    const stdout = memoryStream();
    createLogger({ service: "todo", instance: "todo-1", stdout }).info({ n: 1 }, "hello");
    expect(records(stdout)).toEqual([
      expect.objectContaining({
        service: "todo",
        instance: "todo-1",
        n: 1,
        msg: "hello",
      }),
    ]);
  });

  it("adds reqId on child loggers", () => {
    const stdout = memoryStream();
    const logger = createLogger({ service: "todo", instance: "i", stdout });
    logger.child({ reqId: "r-1" }).warn("slow");
    expect(records(stdout)[0]).toMatchObject({ reqId: "r-1", msg: "slow" });
  });

  it("redacts password, token and authorization values at the depths we log", () => {
    const stdout = memoryStream();
    const logger = createLogger({ service: "auth", instance: "i", stdout });
    logger.info(
      {
        password: "hunter2",
        refreshToken: "rt-secret",
        user: { name: "ann", token: "tok-secret" },
        req: { headers: { authorization: "Bearer abc", "set-cookie": "s=1", host: "h" } },
      },
      "login",
    );
    const line = stdout.lines[0] ?? "";
    for (const secret of ["hunter2", "rt-secret", "tok-secret", "Bearer abc", "s=1"]) {
      expect(line).not.toContain(secret);
    }
    expect(records(stdout)[0]).toMatchObject({
      password: "[redacted]",
      user: { name: "ann", token: "[redacted]" },
      req: { headers: { authorization: "[redacted]", host: "h" } },
    });
  });

  it("redacts extra keys given by the caller", () => {
    const stdout = memoryStream();
    const logger = createLogger({
      service: "s",
      instance: "i",
      stdout,
      redactKeys: ["pin"],
    });
    logger.info({ pin: "1234" }, "card");
    expect(records(stdout)[0]?.pin).toBe("[redacted]");
  });

  it("feeds extra destinations while stdout still gets every record", () => {
    const stdout = memoryStream();
    const shipper = memoryStream();
    const logger = createLogger({
      service: "s",
      instance: "i",
      level: "debug",
      stdout,
      destinations: [shipper],
    });
    logger.debug("one");
    logger.error({ token: "t" }, "two");
    expect(records(stdout).map((r) => r.msg)).toEqual(["one", "two"]);
    expect(records(shipper).map((r) => r.msg)).toEqual(["one", "two"]);
    expect(records(shipper)[1]?.token).toBe("[redacted]");
  });

  it("honours a destination's own minimum level", () => {
    const stdout = memoryStream();
    const errorsOnly = memoryStream();
    const logger = createLogger({
      service: "s",
      instance: "i",
      stdout,
      destinations: [{ stream: errorsOnly, level: "error" }],
    });
    logger.info("fine");
    logger.error("bad");
    expect(stdout.lines).toHaveLength(2);
    expect(records(errorsOnly).map((r) => r.msg)).toEqual(["bad"]);
  });

  it("prints human-readable lines when pretty is on", async () => {
    let text = "";
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    createLogger({ service: "s", instance: "i", pretty: true, stdout }).info(
      "pretty line",
    );
    await vi.waitFor(() => expect(text).toContain("pretty line"));
    expect(text).toMatch(/INFO/);
    expect(() => JSON.parse(text)).toThrow();
  });
});
