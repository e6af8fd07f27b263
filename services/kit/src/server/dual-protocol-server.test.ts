import { once } from "node:events";
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { connectionRefused, h1Request, h2Request } from "../testing/http-clients.js";
import {
  createDualProtocolServer,
  type DualProtocolServer,
  type Http1RequestHandler,
} from "./dual-protocol-server.js";

const servers: DualProtocolServer[] = [];

async function start(server: DualProtocolServer): Promise<string> {
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

const echoVersion: Http1RequestHandler = (req, res) => {
  res.setHeader("content-type", "text/plain");
  res.end(`HTTP/${req.httpVersion} ${req.method} ${req.url}`);
};

describe("DualProtocolServer", () => {
  it("serves HTTP/1.1 and h2c prior-knowledge requests on one port", async () => {
    const url = await start(createDualProtocolServer(echoVersion));
    expect((await h1Request(url, "/a")).body).toBe("HTTP/1.1 GET /a");
    expect((await h2Request(url, "/b")).body).toBe("HTTP/2.0 GET /b");
  });

  it("recognises the HTTP/2 preface even when it arrives in pieces", async () => {
    const url = await start(createDualProtocolServer(echoVersion));
    const socket = net.connect(Number(new URL(url).port), "127.0.0.1");
    await once(socket, "connect");
    const firstBytes = new Promise<Buffer>((resolve) => socket.once("data", resolve));
    socket.write("PRI * HT");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const emptySettingsFrame = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    socket.write(
      Buffer.concat([Buffer.from("TP/2.0\r\n\r\nSM\r\n\r\n"), emptySettingsFrame]),
    );
    const reply = await firstBytes;
    socket.destroy();
    // An HTTP/2 server opens with its SETTINGS frame (type 4), not "HTTP/1.1 ...".
    expect(reply[3]).toBe(0x04);
  });

  it("hands raw HTTP/2 streams to a stream handler", async () => {
    const server = createDualProtocolServer(echoVersion, {
      stream: (stream, headers) => {
        stream.respond({ ":status": 200 });
        stream.end(`raw ${headers[":path"]}`);
      },
    });
    const url = await start(server);
    expect((await h2Request(url, "/s")).body).toBe("raw /s");
    expect((await h1Request(url, "/h")).body).toBe("HTTP/1.1 GET /h");
  });

  it("drains on close: in-flight requests finish, idle and new connections do not", async () => {
    let release = () => {};
    const handler: Http1RequestHandler = (req, res) => {
      if (req.url === "/slow") release = () => res.end("slow done");
      else res.end("fast");
    };
    const server = createDualProtocolServer(handler);
    const url = await start(server);
    const { port } = new URL(url);
    const idleAgent = new http.Agent({ keepAlive: true });
    await h1Request(url, "/warm", { agent: idleAgent });
    const idleSocket = Object.values(idleAgent.freeSockets).flat()[0];
    const idleClosed = idleSocket
      ? once(idleSocket, "close")
      : Promise.reject(new Error("no idle socket"));
    const session = http2.connect(url);
    const goaway = once(session, "goaway");
    await new Promise((resolve) =>
      session.request({ ":path": "/h2" }).on("response", resolve).resume(),
    );
    const slow = h1Request(url, "/slow", { agent: new http.Agent({ keepAlive: true }) });
    await new Promise((resolve) => setTimeout(resolve, 50));

    let closed = false;
    server.close(() => (closed = true));
    await idleClosed;
    await goaway;
    expect(await connectionRefused("127.0.0.1", Number(port))).toBe(true);
    expect(closed).toBe(false);
    release();
    const response = await slow;
    expect(response.body).toBe("slow done");
    // The socket closes right after, so the response tells the client not to reuse it.
    expect(response.headers.connection).toBe("close");
    await vi.waitFor(() => expect(closed).toBe(true));
    session.destroy();
  });
});
