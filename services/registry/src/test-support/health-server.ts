import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "@microtodo/api/health";

/** A real grpc.health.v1 server on 127.0.0.1 whose answer a test controls. */
export interface TestHealthServer {
  readonly port: number;
  status: HealthCheckResponse_ServingStatus;
  /** Extra time before answering, in ms. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startHealthServer(): Promise<TestHealthServer> {
  const state = { status: HealthCheckResponse_ServingStatus.SERVING, delayMs: 0 };
  const handler = connectNodeAdapter({
    routes(router) {
      router.service(Health, {
        async check() {
          if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
          return { status: state.status };
        },
        list: () => ({ statuses: {} }),
        async *watch() {},
      });
    },
  });
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    port,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
