import { connect, createServer as createHttp2Server } from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeHttp2Server,
  listen,
  type ProxyHarness,
  startProxy,
} from "./testing/proxy-harness.js";
import { grpcFrame } from "./testing/raw-clients.js";
import { localTarget, RoundRobinSelector } from "./testing/round-robin-selector.js";

// An instance that echoes each request message as it arrives and ends with
// trailers once the client has finished: a bidirectional gRPC stream.
describe("HTTP/2 streams in both directions", () => {
  const echo = createHttp2Server();
  let harness: ProxyHarness;

  beforeAll(async () => {
    echo.on("stream", (stream) => {
      stream.respond(
        { ":status": 200, "content-type": "application/grpc" },
        { waitForTrailers: true },
      );
      stream.on("wantTrailers", () =>
        stream.sendTrailers({ "grpc-status": "0", "x-echoed": "yes" }),
      );
      stream.on("data", (chunk: Buffer) => stream.write(chunk));
      stream.on("end", () => stream.end());
    });
    const selector = new RoundRobinSelector()
      .addRoute("/echo.v1.Echo/", "echo")
      .setTargets("echo", [localTarget("echo", await listen(echo))]);
    harness = await startProxy(selector);
  });

  afterAll(async () => {
    await harness.close();
    await closeHttp2Server(echo);
  });

  it("relays each message while the call is open and forwards the trailers", async () => {
    const session = connect(harness.http2Url);
    const stream = session.request({
      ":method": "POST",
      ":path": "/echo.v1.Echo/Chat",
      "content-type": "application/grpc",
      te: "trailers",
    });
    const trailers = new Promise<Record<string, unknown>>((resolve) =>
      stream.on("trailers", resolve),
    );
    const received: string[] = [];
    const nextEcho = () =>
      new Promise<void>((resolve) =>
        stream.once("data", (chunk: Buffer) => {
          received.push(chunk.subarray(5).toString());
          resolve();
        }),
      );
    for (const word of ["one", "two", "three"]) {
      const echoed = nextEcho();
      stream.write(grpcFrame(Buffer.from(word)));
      await echoed; // the answer arrives before the request has ended
    }
    stream.end();
    expect(await trailers).toMatchObject({ "grpc-status": "0", "x-echoed": "yes" });
    expect(received).toEqual(["one", "two", "three"]);
    session.close();
  });
});
