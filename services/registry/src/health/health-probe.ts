import { Agent } from "node:http";
import {
  Code,
  ConnectError,
  createClient,
  createContextKey,
  createContextValues,
  type Interceptor,
} from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "@microtodo/api/health";

/** The outcome of one probe. */
export interface ProbeOutcome {
  readonly ok: boolean;
  /** The serving status, or why the probe failed. */
  readonly reason: string;
}

/** Checks one address ("host:port"); never throws. */
export type HealthProbe = (address: string, timeoutMs: number) => Promise<ProbeOutcome>;

const targetKey = createContextKey("", { description: "probe target host:port" });
const placeholderOrigin = "http://probe.invalid";

/** Sends each call to the address in its context instead of the base URL. */
const retarget: Interceptor = (next) => (request) =>
  next({
    ...request,
    url: `http://${request.contextValues.get(targetKey)}${request.url.slice(placeholderOrigin.length)}`,
  });

/**
 * A probe that calls grpc.health.v1.Health/Check (overall status, service
 * "") with the Connect protocol over HTTP/1.1.
 *
 * One client serves every instance, retargeted per call: a transport per
 * instance would cost kilobytes each across thousands of instances. Each
 * probe opens a fresh connection, because a reused one races with the
 * instance's keep-alive timeout and shows up as a false failure, while a
 * handshake every couple of seconds costs nothing.
 */
export function createHealthProbe(): HealthProbe {
  const transport = createConnectTransport({
    baseUrl: placeholderOrigin,
    httpVersion: "1.1",
    useBinaryFormat: true,
    interceptors: [retarget],
    nodeOptions: { agent: new Agent({ keepAlive: false }) },
  });
  const client = createClient(Health, transport);
  return async (address, timeoutMs) => {
    try {
      const contextValues = createContextValues().set(targetKey, address);
      const response = await client.check({ service: "" }, { timeoutMs, contextValues });
      const status = HealthCheckResponse_ServingStatus[response.status] ?? "UNKNOWN";
      return {
        ok: response.status === HealthCheckResponse_ServingStatus.SERVING,
        reason: status,
      };
    } catch (err) {
      return { ok: false, reason: describeFailure(err) };
    }
  };
}

function describeFailure(err: unknown): string {
  const error = ConnectError.from(err);
  const cause = error.cause as NodeJS.ErrnoException | undefined;
  if (typeof cause?.code === "string") return `${Code[error.code]}: ${cause.code}`;
  return `${Code[error.code]}: ${error.rawMessage}`;
}
