import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "@microtodo/api/health";
import { pino } from "pino";
import {
  createRegistryClient,
  type RegistrationHandle,
  type ServiceVisibility,
  startRegistration,
} from "../../../services/kit/src/registry/index.js";

/** What a test upstream does. */
export interface UpstreamOptions {
  readonly name: string;
  readonly serviceType: string;
  readonly visibility?: ServiceVisibility;
  /** HTTP status of every non-health answer. Default 200. */
  readonly status?: number;
  /** Time before answering, in ms. Default 0. */
  readonly delayMs?: number;
  readonly httpRoutes?: readonly string[];
  /** Registers through the kit client when set. */
  readonly registryUrl?: string;
  readonly secret?: string;
}

/** A running test upstream. */
export interface Upstream {
  readonly name: string;
  readonly port: number;
  readonly address: string;
  /** Non-health requests received. */
  readonly requests: () => number;
  readonly registration: RegistrationHandle | undefined;
  close(): Promise<void>;
}

type NodeHandler = ReturnType<typeof connectNodeAdapter>;

/**
 * A small upstream: grpc.health.v1 says SERVING, every other request gets
 * `status` after `delayMs` with a Connect-style JSON body, and names the
 * instance in `x-fixture-name`. Registers itself through the kit's
 * registry client when given a registry URL.
 */
export async function startUpstream(options: UpstreamOptions): Promise<Upstream> {
  let requests = 0;
  const status = options.status ?? 200;
  const answer: NodeHandler = (req, res) => {
    requests++;
    req.resume();
    req.on("end", () => {
      setTimeout(() => {
        const body =
          status < 400
            ? { name: options.name }
            : {
                code: status === 503 ? "unavailable" : "internal",
                message: options.name,
              };
        res.writeHead(status, {
          "content-type": "application/json",
          "x-fixture-name": options.name,
        });
        res.end(JSON.stringify(body));
      }, options.delayMs ?? 0);
    });
  };
  const server = createServer(
    connectNodeAdapter({
      routes(router) {
        router.service(Health, {
          check: () => ({ status: HealthCheckResponse_ServingStatus.SERVING }),
          list: () => ({ statuses: {} }),
          async *watch() {},
        });
      },
      fallback: answer,
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const address = `127.0.0.1:${port}`;
  const registration = options.registryUrl ? register(options, address) : undefined;
  return {
    name: options.name,
    port,
    address,
    requests: () => requests,
    registration,
    async close() {
      await registration?.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function register(options: UpstreamOptions, address: string): RegistrationHandle {
  const client = createRegistryClient({
    registryUrl: options.registryUrl ?? "",
    secret: options.secret ?? "",
  });
  return startRegistration({
    client,
    spec: {
      serviceType: options.serviceType,
      address,
      visibility: options.visibility ?? "public",
      httpRoutes: options.httpRoutes,
      metadata: { name: options.name },
    },
    logger: pino({ level: "silent" }),
    initialBackoffMs: 50,
  });
}
