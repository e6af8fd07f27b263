import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { type Health, HealthCheckResponseSchema } from "@microtodo/api/health";
import type { HealthStatus } from "./health-status.js";

/** grpc.health.v1.Health backed by a {@link HealthStatus}. */
export function createHealthService(status: HealthStatus): ServiceImpl<typeof Health> {
  return {
    check(request) {
      const current = status.get(request.service);
      if (current === undefined) {
        // The health protocol reserves NOT_FOUND for names never registered.
        throw new ConnectError(`unknown service "${request.service}"`, Code.NotFound);
      }
      return { status: current };
    },
    list() {
      const statuses = Object.fromEntries(
        [...status.list()].map(([name, value]) => [
          name,
          create(HealthCheckResponseSchema, { status: value }),
        ]),
      );
      return { statuses };
    },
    async *watch(request, context) {
      for await (const current of status.watch(request.service, context.signal)) {
        yield { status: current };
      }
    },
  };
}
