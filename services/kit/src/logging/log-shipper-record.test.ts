import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Level } from "@microtodo/api/logger";
import { describe, expect, it } from "vitest";
import { fitBytes, levelOf, pinoLineToRecord } from "./log-shipper-record.js";

const defaults = { service: "todo", instance: "todo-1" };

describe("pinoLineToRecord", () => {
  it("maps pino's keys to record fields and keeps the rest as fields", () => {
    const line = JSON.stringify({
      level: 50,
      time: 1_750_000_000_123,
      service: "auth",
      instance: "auth-7",
      reqId: "req-1",
      msg: "login failed",
      userId: "u1",
      err: { type: "Error", message: "bad" },
    });
    const record = pinoLineToRecord(line, defaults);
    expect(record.time && timestampMs(record.time)).toBe(1_750_000_000_123);
    expect(record.level).toBe(Level.ERROR);
    expect(record.serviceType).toBe("auth");
    expect(record.instance).toBe("auth-7");
    expect(record.requestId).toBe("req-1");
    expect(record.message).toBe("login failed");
    expect(JSON.parse(record.fieldsJson)).toEqual({
      userId: "u1",
      err: { type: "Error", message: "bad" },
    });
    expect(record.fields).toBeUndefined();
  });

  it("falls back to the shipper's service and instance, and an ISO time", () => {
    const line = JSON.stringify({
      level: "warn",
      time: "2025-06-01T00:00:00.000Z",
      msg: "x",
    });
    const record = pinoLineToRecord(line, defaults);
    expect(record.serviceType).toBe("todo");
    expect(record.instance).toBe("todo-1");
    expect(record.level).toBe(Level.WARN);
    expect(record.time && timestampMs(record.time)).toBe(Date.UTC(2025, 5, 1));
    expect(record.fieldsJson).toBe("");
  });

  it("turns a line that is not JSON into an info record carrying the line", () => {
    const record = pinoLineToRecord("plain text output", defaults);
    expect(record.level).toBe(Level.INFO);
    expect(record.message).toBe("plain text output");
  });

  it("maps pino level numbers, custom levels included, and labels", () => {
    expect([10, 20, 30, 35, 40, 50, 60, 70].map((n) => levelOf(n))).toEqual([
      Level.TRACE,
      Level.DEBUG,
      Level.INFO,
      Level.INFO,
      Level.WARN,
      Level.ERROR,
      Level.FATAL,
      Level.FATAL,
    ]);
    expect(levelOf("fatal")).toBe(Level.FATAL);
    expect(levelOf("verbose")).toBe(Level.INFO);
  });

  it("trims a message and fields to the logger's limits instead of losing the record", () => {
    const line = JSON.stringify({
      level: 30,
      time: 1,
      msg: "é".repeat(10_000),
      small: 1,
      big: "b".repeat(20_000),
    });
    const record = pinoLineToRecord(line, defaults);
    expect(Buffer.byteLength(record.message)).toBeLessThanOrEqual(8 * 1024);
    expect(record.message.endsWith("…[truncated]")).toBe(true);
    expect(JSON.parse(record.fieldsJson)).toEqual({
      small: 1,
      fieldsTruncated: "left out: big",
    });
  });

  it("cuts UTF-8 text without splitting a character", () => {
    const cut = fitBytes(`a${"€".repeat(100)}`, 50);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(50);
    expect(cut).not.toContain("\ufffd");
  });
});
