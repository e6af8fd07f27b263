import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import {
  InstanceSchema,
  type RegisterRequest,
  RegistryService,
} from "@microtodo/api/registry";

/**
 * A stand-in registry for the todo service's own wiring tests: records
 * Register and Deregister, accepts heartbeats, and resolves the types it
 * was given to fixed addresses. Calls it does not implement fail UNIMPLEMENTED.
 */
export async function startFakeRegistryServer(resolvable: Record<string, string>) {
  const registered: RegisterRequest[] = [];
  const deregistered: string[] = [];
  const handler = connectNodeAdapter({
    routes: (router) => {
      router.service(RegistryService, {
        async register(request) {
          registered.push(request);
          return {
            leaseId: `lease-${registered.length}`,
            ttlMs: 30_000,
            heartbeatIntervalMs: 10_000,
          };
        },
        async heartbeat() {
          return { ttlMs: 30_000 };
        },
        async deregister(request) {
          deregistered.push(request.leaseId);
          return {};
        },
        async resolve(request) {
          const address = resolvable[request.serviceType];
          if (!address)
            throw new ConnectError(`no ${request.serviceType}`, Code.Unavailable);
          const instance = create(InstanceSchema, {
            id: `${request.serviceType}@${address}`,
            serviceType: request.serviceType,
            address,
          });
          return { instance };
        },
      });
    },
  });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    registered,
    deregistered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
