import { describe, expect, it } from "vitest";
import { formatGrpcTimeout, parseConnectTimeout, parseGrpcTimeout } from "./deadline.js";

describe("deadline headers", () => {
  it("reads every grpc-timeout unit in milliseconds", () => {
    expect(parseGrpcTimeout("2H")).toBe(7_200_000);
    expect(parseGrpcTimeout("3M")).toBe(180_000);
    expect(parseGrpcTimeout("5S")).toBe(5000);
    expect(parseGrpcTimeout("200m")).toBe(200);
    expect(parseGrpcTimeout("1500u")).toBe(2);
    expect(parseGrpcTimeout("1n")).toBe(1);
  });

  it("rejects malformed grpc-timeout values", () => {
    for (const bad of ["", "m", "12", "123456789m", "1.5S", "10x", "-1m"]) {
      expect(parseGrpcTimeout(bad)).toBe(-1);
    }
  });

  it("reads connect-timeout-ms and rejects non-digits", () => {
    expect(parseConnectTimeout("250")).toBe(250);
    expect(parseConnectTimeout("")).toBe(-1);
    expect(parseConnectTimeout("1e3")).toBe(-1);
    expect(parseConnectTimeout("12345678901")).toBe(-1);
  });

  it("formats what is left in milliseconds, in seconds past 8 digits", () => {
    expect(formatGrpcTimeout(199.2)).toBe("200m");
    expect(formatGrpcTimeout(0)).toBe("1m");
    expect(formatGrpcTimeout(200_000_000)).toBe("200000S");
  });
});
