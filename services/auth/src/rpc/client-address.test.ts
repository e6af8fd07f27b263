import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import {
  clientAddress,
  PEER_ADDRESS_HEADER,
  recordPeerAddress,
} from "./client-address.js";

describe("clientAddress", () => {
  it("takes the hop the registry appended, not one the client made up", () => {
    const forwarded = new Headers({ "x-forwarded-for": " 203.0.113.9 , 10.0.0.2" });
    expect(clientAddress(forwarded)).toBe("10.0.0.2");
  });

  it("falls back to the recorded peer without x-forwarded-for", () => {
    const direct = new Headers({ [PEER_ADDRESS_HEADER]: "192.0.2.1" });
    expect(clientAddress(direct)).toBe("192.0.2.1");
    expect(clientAddress(new Headers())).toBeUndefined();
  });

  it("overwrites a peer address header sent by the client", async () => {
    const app = Fastify();
    recordPeerAddress(app);
    app.get("/peer", async (request) => request.raw.headers[PEER_ADDRESS_HEADER]);
    const response = await app.inject({
      url: "/peer",
      headers: { [PEER_ADDRESS_HEADER]: "6.6.6.6" },
      remoteAddress: "192.0.2.44",
    });
    expect(response.body).toBe("192.0.2.44");
    await app.close();
  });
});
