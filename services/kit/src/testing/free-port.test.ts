import { once } from "node:events";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { freePort } from "./free-port.js";

describe("freePort", () => {
  it("returns a port a server can listen on right away", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = net.createServer().listen(port, "127.0.0.1");
    await once(server, "listening");
    server.close();
  });
});
