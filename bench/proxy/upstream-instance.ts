// One upstream instance for the proxy benchmark, run as its own process: a
// plain connect-node HTTP server answering TodoService.GetTask with a short
// task, and grpc.health.v1 Check (SERVING) for the registry's active health
// checks. Prints `{"port":N}` on stdout once listening; stops on SIGTERM.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "@microtodo/api/health";
import { TodoService } from "@microtodo/api/todo";

const handler = connectNodeAdapter({
  routes(router) {
    router.service(TodoService, {
      getTask: (req) => ({
        task: { id: req.taskId, listId: "inbox", title: "Buy milk" },
      }),
    });
    router.service(Health, {
      check: () => ({ status: HealthCheckResponse_ServingStatus.SERVING }),
      list: () => ({ statuses: {} }),
      async *watch() {},
    });
  },
});

const server = createServer(handler);
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => process.exit(0));
}
