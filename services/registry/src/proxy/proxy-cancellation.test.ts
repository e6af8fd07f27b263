import { createServer, request } from "node:http";
import { connect, createServer as createHttp2Server } from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeHttp2Server,
  closeServer,
  listen,
  type ProxyHarness,
  startProxy,
} from "./testing/proxy-harness.js";
import { localTarget, RoundRobinSelector } from "./testing/round-robin-selector.js";

// Instances that start an answer and then wait forever, noting when the
// proxy gives up on the call.
describe("a client that goes away", () => {
  let http1Closed: () => void;
  const http1Gone = new Promise<void>((resolve) => {
    http1Closed = resolve;
  });
  const http1 = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/connect+json" });
    res.write(Buffer.from([0, 0, 0, 0, 2, 123, 125]));
    req.socket.on("close", () => http1Closed());
  });
  let http2Closed: () => void;
  const http2Gone = new Promise<void>((resolve) => {
    http2Closed = resolve;
  });
  const http2 = createHttp2Server();
  http2.on("stream", (stream) => {
    stream.respond({ ":status": 200, "content-type": "application/grpc" });
    stream.write(Buffer.from([0, 0, 0, 0, 0]));
    stream.on("close", () => http2Closed());
  });
  let selector: RoundRobinSelector;
  let harness: ProxyHarness;

  beforeAll(async () => {
    selector = new RoundRobinSelector()
      .addRoute("/one.v1.One/", "one")
      .addRoute("/two.v1.Two/", "two")
      .setTargets("one", [localTarget("one", await listen(http1))])
      .setTargets("two", [localTarget("two", await listen(http2))]);
    harness = await startProxy(selector);
  });

  afterAll(async () => {
    await harness.close();
    await Promise.all([closeServer(http1), closeHttp2Server(http2)]);
  });

  it("cancels the upstream HTTP/1.1 call and does not blame the instance", async () => {
    const req = request(`${harness.http1Url}/one.v1.One/Watch`, {
      method: "POST",
      headers: { "content-type": "application/connect+json" },
    });
    req.on("error", () => undefined);
    req.on("response", (res) => res.once("data", () => req.destroy()));
    req.end(Buffer.from([0, 0, 0, 0, 2, 123, 125]));
    await http1Gone;
    await waitFor(() => selector.finished.some((f) => f.id.startsWith("one@")));
    const outcome = selector.finished.find((f) => f.id.startsWith("one@"))?.outcome;
    expect(outcome).toMatchObject({ failed: false, status: 200 });
  });

  it("cancels the upstream HTTP/2 stream when the client resets its stream", async () => {
    const session = connect(harness.http2Url);
    const stream = session.request({
      ":method": "POST",
      ":path": "/two.v1.Two/Watch",
      "content-type": "application/grpc",
    });
    stream.on("error", () => undefined);
    stream.once("data", () => stream.close(8));
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
    await http2Gone;
    session.close();
    await waitFor(() => selector.finished.some((f) => f.id.startsWith("two@")));
    const outcome = selector.finished.find((f) => f.id.startsWith("two@"))?.outcome;
    expect(outcome).toMatchObject({ failed: false, status: 200 });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
