import { createServer, type IncomingHttpHeaders } from "node:http";
import { fileURLToPath } from "node:url";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { Health, HealthCheckResponse_ServingStatus } from "@microtodo/api/health";
import { closeServer, listen } from "./proxy-harness.js";

const { SERVING, NOT_SERVING } = HealthCheckResponse_ServingStatus;

/** A real Connect server (HTTP/1.1) serving grpc.health.v1 — Connect,
 * gRPC-Web — that counts calls and keeps each request's headers. */
export interface ConnectUpstream {
  readonly name: string;
  readonly port: number;
  readonly requests: IncomingHttpHeaders[];
  /** Answers every request with this HTTP status instead, when non-zero. */
  failWithStatus: number;
  /** Waits this long before serving each request, in ms. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startConnectUpstream(
  name: string,
  keepAliveTimeoutMs = 5000,
): Promise<ConnectUpstream> {
  const adapter = connectNodeAdapter({
    routes(router) {
      router.service(Health, {
        check: () => ({ status: SERVING }),
        list: () => ({ statuses: {} }),
        async *watch() {
          yield { status: SERVING };
          yield { status: NOT_SERVING };
          yield { status: SERVING };
        },
      });
    },
  });
  const state = { failWithStatus: 0, delayMs: 0 };
  const requests: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    requests.push(req.headers);
    res.setHeader("x-upstream", name);
    setTimeout(() => {
      if (state.failWithStatus !== 0) {
        res.writeHead(state.failWithStatus, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: "internal", message: `${name} failed` }));
        return;
      }
      void adapter(req, res);
    }, state.delayMs);
  });
  server.keepAliveTimeout = keepAliveTimeoutMs;
  const port = await listen(server);
  return Object.assign(state, { name, port, requests, close: () => closeServer(server) });
}

/** A real gRPC server (grpc-js, HTTP/2) serving grpc.health.v1. Check
 * answers SERVING; Watch streams three statuses and ends with a trailer
 * `x-upstream: <name>`. */
export interface GrpcUpstream {
  readonly name: string;
  readonly port: number;
  readonly metadata: grpc.Metadata[];
  /** Fails Check with this status code when set. */
  failCheckWith: grpc.status | undefined;
  close(): Promise<void>;
}

export async function startGrpcUpstream(name: string): Promise<GrpcUpstream> {
  const server = new grpc.Server();
  const state: { failCheckWith: grpc.status | undefined } = { failCheckWith: undefined };
  const metadata: grpc.Metadata[] = [];
  server.addService(healthServiceDefinition(), {
    Check(
      call: grpc.ServerUnaryCall<unknown, unknown>,
      done: grpc.sendUnaryData<unknown>,
    ) {
      metadata.push(call.metadata);
      if (state.failCheckWith !== undefined) {
        done({ code: state.failCheckWith, details: `${name} says no` });
        return;
      }
      done(null, { status: "SERVING" });
    },
    Watch(call: grpc.ServerWritableStream<unknown, unknown>) {
      metadata.push(call.metadata);
      for (const status of ["SERVING", "NOT_SERVING", "SERVING"]) {
        call.write({ status });
      }
      const trailer = new grpc.Metadata();
      trailer.set("x-upstream", name);
      call.end(trailer);
    },
    List(_call: unknown, done: grpc.sendUnaryData<unknown>) {
      done(null, { statuses: {} });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err === null ? resolve(p) : reject(err),
    );
  });
  return Object.assign(state, {
    name,
    port,
    metadata,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  });
}

/** A grpc-js client for grpc.health.v1 at `address` ("host:port"). */
export function createGrpcHealthClient(address: string): HealthClient {
  const Client = healthPackage().Health as unknown as HealthClientConstructor;
  return new Client(address, grpc.credentials.createInsecure());
}

type UnaryCallback = (err: grpc.ServiceError | null, value?: { status: string }) => void;

/** The grpc-js client for grpc.health.v1 (proto-loader gives it no types). */
export interface HealthClient extends grpc.Client {
  Check(
    request: { service: string },
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: UnaryCallback,
  ): grpc.ClientUnaryCall;
  Watch(request: { service: string }): grpc.ClientReadableStream<{ status: string }>;
}

type HealthClientConstructor = new (
  address: string,
  credentials: grpc.ChannelCredentials,
) => HealthClient;

/** Calls Check and resolves with the status or rejects with the error. */
export function checkOverGrpc(
  client: HealthClient,
  metadata = new grpc.Metadata(),
  options: grpc.CallOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    client.Check({ service: "" }, metadata, options, (err, value) =>
      err === null ? resolve(value?.status ?? "") : reject(err),
    );
  });
}

const protoPath = fileURLToPath(
  new URL("../../../../../proto/grpc/health/v1/health.proto", import.meta.url),
);

function healthPackage(): grpc.GrpcObject {
  const definition = loadSync(protoPath, { enums: String, defaults: true });
  const root = grpc.loadPackageDefinition(definition);
  return ((root.grpc as grpc.GrpcObject).health as grpc.GrpcObject).v1 as grpc.GrpcObject;
}

function healthServiceDefinition(): grpc.ServiceDefinition {
  const Client = healthPackage().Health as grpc.ServiceClientConstructor;
  return Client.service;
}

/** A port on 127.0.0.1 that nothing listens on (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}
