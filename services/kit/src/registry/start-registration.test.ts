import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createRegistryClient } from "./registry-client.js";
import { startRegistration } from "./start-registration.js";

const logger = pino({ level: "silent" });
const spec = {
  serviceType: "todo",
  address: "10.0.0.7:8083",
  visibility: "public",
} as const;

/** An HTTP server that answers 503 to everything and remembers each path. */
interface RecordingServer {
  readonly url: string;
  readonly paths: string[];
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function startRecordingServer(): Promise<RecordingServer> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? "");
    req.resume();
    res.writeHead(503, { "content-type": "application/json" });
    res.end('{"code":"unavailable","message":"recording server"}');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, paths };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("startRegistration with selfRegister false", () => {
  it("settles at once and never calls Register or Deregister", async () => {
    const registry = await startRecordingServer();
    const client = createRegistryClient({ registryUrl: registry.url, secret: "s" });
    const registration = startRegistration({ client, spec, logger, selfRegister: false });

    await registration.registered;
    expect(registration.lease).toBeUndefined();
    await registration.stop();
    expect(registry.paths).toEqual([]);
  });

  it("leaves the client free to resolve other services through the registry", async () => {
    const registry = await startRecordingServer();
    const client = createRegistryClient({ registryUrl: registry.url, secret: "s" });
    const registration = startRegistration({ client, spec, logger, selfRegister: false });
    await registration.registered;

    await expect(client.resolve("auth")).rejects.toThrow(/recording server/);
    expect(registry.paths).toEqual(["/microtodo.registry.v1.RegistryService/Resolve"]);
    await registration.stop();
  });

  it("registers by default, which the recording server sees", async () => {
    const registry = await startRecordingServer();
    const client = createRegistryClient({ registryUrl: registry.url, secret: "s" });
    const registration = startRegistration({
      client,
      spec,
      logger,
      initialBackoffMs: 50,
    });

    await until(() => registry.paths.length > 0);
    expect(registry.paths[0]).toBe("/microtodo.registry.v1.RegistryService/Register");
    await registration.stop();
  });
});
