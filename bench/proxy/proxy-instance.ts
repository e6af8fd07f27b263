// The registry's proxy for the benchmark, run as its own process behind the
// kit's one-port HTTP/1.1 + h2c listener, with a round-robin selector over
// the upstream ports given as arguments. Prints `{"port":N}` once listening.
import type { AddressInfo } from "node:net";
import { Registry } from "prom-client";
import { createDualProtocolServer } from "../../services/kit/src/server/dual-protocol-server.js";
import { createProxy } from "../../services/registry/src/proxy/create-proxy.js";
import { BenchSelector } from "./bench-selector.js";

const ports = process.argv.slice(2).map(Number);
const proxy = createProxy({
  selector: new BenchSelector("todo", ports),
  listener: "public",
  logger: { debug: () => undefined, warn: (obj, msg) => console.error(msg, obj) },
  metrics: new Registry(),
});
const server = createDualProtocolServer(proxy.handleHttp1, { stream: proxy.handleHttp2 });
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => process.exit(0));
}
