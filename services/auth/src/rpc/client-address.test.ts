import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address.js";

describe("clientAddress", () => {
  it("takes the hop the registry appended, not one the client made up", () => {
    const forwarded = new Headers({ "x-forwarded-for": " 203.0.113.9 , 10.0.0.2" });
    expect(clientAddress(forwarded, "127.0.0.1")).toBe("10.0.0.2");
  });

  it("falls back to the TCP peer without x-forwarded-for, ignoring look-alike headers", () => {
    const direct = new Headers({ "x-microtodo-peer-address": "6.6.6.6" });
    expect(clientAddress(direct, "192.0.2.1")).toBe("192.0.2.1");
    expect(clientAddress(new Headers(), undefined)).toBeUndefined();
  });
});
