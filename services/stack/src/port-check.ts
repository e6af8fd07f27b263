import { createServer } from "node:net";

/** Returns the ports among `ports` that something else already listens on. */
export async function findBusyPorts(
  host: string,
  ports: readonly number[],
): Promise<number[]> {
  const busy: number[] = [];
  for (const port of ports) {
    if (!(await canListen(host, port))) busy.push(port);
  }
  return busy;
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}
