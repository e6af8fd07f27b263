import { createConnection, createServer, type Socket } from "node:net";

/** A TCP relay in front of a server, whose connections a test can cut. */
export interface TcpRelay {
  /** The relay's own port on 127.0.0.1. */
  readonly port: number;
  /** Cuts every open connection and refuses new ones until reopen(). */
  cut(): void;
  reopen(): void;
  close(): Promise<void>;
}

/**
 * Relays 127.0.0.1:<free port> to `target`, byte for byte. Cutting it is
 * what a dropped network path looks like to a browser: its sockets reset,
 * and reconnects fail until the path is back.
 */
export async function startTcpRelay(target: {
  host: string;
  port: number;
}): Promise<TcpRelay> {
  const open = new Set<Socket>();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = createConnection(target);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error("relay has no port");
  return {
    port: address.port,
    cut: () => {
      refusing = true;
      for (const socket of open) socket.resetAndDestroy();
    },
    reopen: () => {
      refusing = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
