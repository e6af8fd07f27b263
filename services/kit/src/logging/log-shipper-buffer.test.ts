import { describe, expect, it } from "vitest";
import { LogShipperBuffer } from "./log-shipper-buffer.js";

describe("LogShipperBuffer", () => {
  it("drops the oldest lines past its record capacity and says how many", () => {
    const buffer = new LogShipperBuffer(3, 1_000);
    expect(["a", "b", "c"].map((l) => buffer.push(l))).toEqual([0, 0, 0]);
    expect(buffer.push("d")).toBe(1);
    expect(buffer.take(10, 1_000)).toEqual(["b", "c", "d"]);
  });

  it("drops the oldest lines past its byte capacity", () => {
    const buffer = new LogShipperBuffer(100, 10);
    buffer.push("aaaa");
    buffer.push("bbbb");
    expect(buffer.push("cccc")).toBe(1);
    expect(buffer.bytes).toBe(8);
    expect(buffer.take(10, 1_000)).toEqual(["bbbb", "cccc"]);
  });

  it("takes batches bounded by count and bytes, always at least one line", () => {
    const buffer = new LogShipperBuffer(100, 1_000);
    for (const line of ["11", "22", "33", "44", "55"]) buffer.push(line);
    expect(buffer.take(2, 1_000)).toEqual(["11", "22"]);
    expect(buffer.take(10, 3)).toEqual(["33"]);
    expect(buffer.take(10, 1)).toEqual(["44"]);
    expect(buffer.length).toBe(1);
  });

  it("restores a failed batch in front, keeping its newest lines that fit", () => {
    const buffer = new LogShipperBuffer(4, 1_000);
    for (const line of ["a", "b", "c"]) buffer.push(line);
    const batch = buffer.take(3, 1_000);
    buffer.push("d");
    buffer.push("e");
    expect(buffer.restore(batch)).toBe(1);
    expect(buffer.take(10, 1_000)).toEqual(["b", "c", "d", "e"]);
  });
});
