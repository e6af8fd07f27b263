import { Agent } from "node:http";
import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AuthService } from "@microtodo/api/auth";
import { LoggerService } from "@microtodo/api/logger";
import { RegistryService } from "@microtodo/api/registry";
import type { RegistryClient } from "@microtodo/kit";

/** Options of createUpstreamClients. */
export interface UpstreamClientsOptions {
  /** The registry's internal listener. */
  readonly registryUrl: string;
  /** The shared registration secret; SetWeight and Drain need it. */
  readonly registrySecret: string;
  /** Finds auth and logger instances. */
  readonly resolver: Pick<RegistryClient, "resolveUrl" | "forget">;
}

/** The services the admin server talks to on the browser's behalf. */
export interface UpstreamClients {
  /** RegistryService on the internal listener, every call carrying the secret. */
  readonly registry: Client<typeof RegistryService>;
  /** AuthService on an instance the registry picks. */
  auth(): Promise<Client<typeof AuthService>>;
  /** LoggerService on an instance the registry picks. */
  logger(): Promise<Client<typeof LoggerService>>;
  /**
   * Tells the resolver a call to the type failed for want of the instance,
   * so the next call resolves afresh. Other failures keep the instance.
   */
  noteFailure(serviceType: "auth" | "logger", err: unknown): void;
}

/** Builds the clients; nothing is called until a client is used. */
export function createUpstreamClients(options: UpstreamClientsOptions): UpstreamClients {
  const { resolver } = options;
  const transports = new Map<string, ReturnType<typeof createConnectTransport>>();
  const transportFor = (baseUrl: string) => {
    let transport = transports.get(baseUrl);
    if (transport === undefined) {
      // Instances come and go; a bounded map keeps a long-lived server
      // from collecting transports of instances long gone.
      if (transports.size >= 64) transports.clear();
      transport = createConnectTransport({ baseUrl, httpVersion: "1.1" });
      transports.set(baseUrl, transport);
    }
    return transport;
  };
  return {
    registry: createRegistryRpc(options.registryUrl, options.registrySecret),
    auth: async () =>
      createClient(AuthService, transportFor(await resolver.resolveUrl("auth"))),
    logger: async () =>
      createClient(LoggerService, transportFor(await resolver.resolveUrl("logger"))),
    noteFailure(serviceType, err) {
      const code = ConnectError.from(err).code;
      if (code === Code.Unavailable || code === Code.DeadlineExceeded) {
        resolver.forget(serviceType);
      }
    },
  };
}

function createRegistryRpc(baseUrl: string, secret: string) {
  const transport = createConnectTransport({
    baseUrl,
    httpVersion: "1.1",
    useBinaryFormat: true,
    // A fresh connection per call, as the kit's registry client does: a
    // pooled socket could be one the registry's keep-alive just closed.
    nodeOptions: { agent: new Agent({ keepAlive: false }) },
    interceptors: [
      (next) => (request) => {
        if (secret !== "") request.header.set("authorization", `Bearer ${secret}`);
        return next(request);
      },
    ],
  });
  return createClient(RegistryService, transport);
}
