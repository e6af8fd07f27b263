import { fileURLToPath } from "node:url";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import {
  Health,
  HealthCheckResponse_ServingStatus as Status,
} from "@microtodo/api/health";
import { afterEach, describe, expect, it, vi } from "vitest";
import { h1Request, h2Request } from "../testing/http-clients.js";
import { startTestServer, type TestServer } from "../testing/start-test-server.js";
import { TestService } from "../testing/test-service.js";

const healthProto = fileURLToPath(
  new URL("../../../../proto/grpc/health/v1/health.proto", import.meta.url),
);

const running: TestServer[] = [];
async function start(...args: Parameters<typeof startTestServer>) {
  const started = await startTestServer(...args);
  running.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(
    running.splice(0).map(({ server }) => server.close({ timeoutMs: 1000 })),
  );
});

type GrpcHealthClient = grpc.Client & {
  check(
    request: { service: string },
    callback: (err: grpc.ServiceError | null, res?: { status: string }) => void,
  ): void;
};

function grpcJsHealthClient(url: string): GrpcHealthClient {
  const definition = protoLoader.loadSync(healthProto, { enums: String });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  };
  const target = new URL(url).host;
  return new loaded.grpc.health.v1.Health(
    target,
    grpc.credentials.createInsecure(),
  ) as unknown as GrpcHealthClient;
}

function grpcJsCheck(client: GrpcHealthClient, service: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.check({ service }, (err, res) =>
      err ? reject(err) : resolve(res?.status ?? ""),
    );
  });
}

describe("createServiceServer", () => {
  it("answers grpc.health.v1 Check over Connect, gRPC (grpc-js) and gRPC-Web on one port", async () => {
    const { address } = await start();
    const baseUrl = address.url;
    const connectJson = createClient(
      Health,
      createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false }),
    );
    const connectH2 = createClient(
      Health,
      createConnectTransport({ baseUrl, httpVersion: "2" }),
    );
    const grpcWeb = createClient(
      Health,
      createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
    );
    const grpcConnect = createClient(Health, createGrpcTransport({ baseUrl }));
    expect((await connectJson.check({ service: "" })).status).toBe(Status.SERVING);
    expect((await connectH2.check({ service: "" })).status).toBe(Status.SERVING);
    expect((await grpcWeb.check({ service: "" })).status).toBe(Status.SERVING);
    expect((await grpcConnect.check({ service: "" })).status).toBe(Status.SERVING);
    const grpcJs = grpcJsHealthClient(baseUrl);
    try {
      expect(await grpcJsCheck(grpcJs, "")).toBe("SERVING");
      expect(await grpcJsCheck(grpcJs, "microtodo.kit.test.v1.TestService")).toBe(
        "SERVING",
      );
      await expect(grpcJsCheck(grpcJs, "nope")).rejects.toMatchObject({
        code: grpc.status.NOT_FOUND,
      });
    } finally {
      grpcJs.close();
    }
  });

  it("answers Connect JSON posted by a plain HTTP client", async () => {
    const { address } = await start();
    const response = await h1Request(address.url, "/grpc.health.v1.Health/Check", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: "SERVING" });
  });

  it("lists every registered service with its status", async () => {
    const { address } = await start();
    const client = createClient(
      Health,
      createConnectTransport({ baseUrl: address.url, httpVersion: "1.1" }),
    );
    const { statuses } = await client.list({});
    expect(Object.keys(statuses).sort()).toEqual([
      "",
      "grpc.health.v1.Health",
      "microtodo.kit.test.v1.TestService",
    ]);
  });

  it("streams a status change to Watch", async () => {
    const { address, server } = await start();
    const client = createClient(Health, createGrpcTransport({ baseUrl: address.url }));
    const abort = new AbortController();
    const stream = client.watch({ service: "" }, { signal: abort.signal });
    const seen: Status[] = [];
    for await (const { status } of stream) {
      seen.push(status);
      if (seen.length === 1) server.setReady(false);
      if (seen.length === 2) break;
    }
    abort.abort();
    expect(seen).toEqual([Status.SERVING, Status.NOT_SERVING]);
  });

  it("reports SERVICE_UNKNOWN to Watch for a name never registered", async () => {
    const { address } = await start();
    const client = createClient(
      Health,
      createConnectTransport({ baseUrl: address.url, httpVersion: "1.1" }),
    );
    for await (const { status } of client.watch({ service: "nope" })) {
      expect(status).toBe(Status.SERVICE_UNKNOWN);
      break;
    }
  });

  it("fails /readyz until ready and serves /healthz throughout", async () => {
    const { address, server } = await start({ readyOnListen: false });
    expect((await h1Request(address.url, "/healthz")).status).toBe(200);
    expect((await h1Request(address.url, "/readyz")).status).toBe(503);
    server.setReady(true);
    expect((await h1Request(address.url, "/readyz")).status).toBe(200);
    expect((await h2Request(address.url, "/readyz")).status).toBe(200);
  });
});

describe("request ids", () => {
  it("keeps a sane x-request-id, echoes it and hands it to the handler", async () => {
    const { address } = await start();
    const response = await h1Request(
      address.url,
      "/microtodo.kit.test.v1.TestService/RequestId",
      {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": "abc-123:x.y_z" },
        body: "{}",
      },
    );
    expect(response.headers["x-request-id"]).toBe("abc-123:x.y_z");
    expect(JSON.parse(response.body)).toBe("abc-123:x.y_z");
  });

  it("replaces a missing or unsafe x-request-id with a generated one", async () => {
    const { address } = await start();
    const unsafe = await h2Request(address.url, "/healthz", {
      headers: { "x-request-id": "bad id\u00e9<script>" },
    });
    const missing = await h1Request(address.url, "/healthz");
    const tooLong = await h1Request(address.url, "/healthz", {
      headers: { "x-request-id": "a".repeat(129) },
    });
    for (const response of [unsafe, missing, tooLong]) {
      expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("gives RPC handlers the generated id over gRPC too", async () => {
    const { address } = await start();
    const client = createClient(
      TestService,
      createGrpcTransport({ baseUrl: address.url }),
    );
    let header: string | null = null;
    const { value } = await client.requestId(
      {},
      { onHeader: (h) => (header = h.get("x-request-id")) },
    );
    expect(value).toMatch(/^[0-9a-f-]{36}$/);
    expect(header).toBe(value);
  });
});

describe("request bodies", () => {
  it("rejects an RPC message larger than maxBodyBytes with resource_exhausted", async () => {
    const { address } = await start({ maxBodyBytes: 1024 });
    for (const transport of [
      createConnectTransport({ baseUrl: address.url, httpVersion: "1.1" }),
      createGrpcTransport({ baseUrl: address.url }),
    ]) {
      const client = createClient(TestService, transport);
      expect((await client.echo({ value: "small" })).value).toBe("small");
      const error = await client
        .echo({ value: "x".repeat(4096) })
        .catch(ConnectError.from);
      expect(error).toMatchObject({ code: Code.ResourceExhausted });
    }
  });

  it("rejects a plain HTTP body larger than maxBodyBytes with 413", async () => {
    const { address } = await start({
      maxBodyBytes: 1024,
      configure: (app) => {
        app.post("/rest/echo", async (request) => ({ got: request.body ?? null }));
      },
    });
    const response = await h1Request(address.url, "/rest/echo", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "x".repeat(4096) }),
    });
    expect(response.status).toBe(413);
  });

  it("treats an empty application/json body as no body", async () => {
    const { address } = await start({
      configure: (app) => {
        app.post("/rest/echo", async (request) => ({ got: request.body ?? null }));
      },
    });
    const post = (body: string) =>
      h1Request(address.url, "/rest/echo", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
    expect(JSON.parse((await post("")).body)).toEqual({ got: null });
    expect(JSON.parse((await post('{"a":1}')).body)).toEqual({ got: { a: 1 } });
    expect((await post("{not json")).status).toBe(400);
    const overH2 = await h2Request(address.url, "/rest/echo", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"b":2}',
    });
    expect(JSON.parse(overH2.body)).toEqual({ got: { b: 2 } });
  });
});

describe("errors and the request log", () => {
  it("hides an unexpected error's message from callers and logs it once at error", async () => {
    const { address, log } = await start();
    const client = createClient(
      TestService,
      createConnectTransport({ baseUrl: address.url, httpVersion: "1.1" }),
    );
    const error = await client.fail({ value: "internal" }).catch(ConnectError.from);
    expect(error).toMatchObject({ code: Code.Internal, rawMessage: "internal error" });
    const entries = log.records.filter(
      (r) => r.rpc === "microtodo.kit.test.v1.TestService/Fail",
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 50,
      code: "internal",
      msg: "request completed",
    });
    expect(JSON.stringify(entries[0]?.err)).toContain("hunter2");
    expect(typeof entries[0]?.reqId).toBe("string");
  });

  it("logs client errors at info and successes at debug", async () => {
    const { address, log } = await start();
    const client = createClient(
      TestService,
      createGrpcTransport({ baseUrl: address.url }),
    );
    await client.fail({ value: "thing" }).catch(() => {});
    await client.echo({ value: "hi" });
    const byMethod = (m: string) =>
      log.records.find((r) => r.rpc === `microtodo.kit.test.v1.TestService/${m}`);
    expect(byMethod("Fail")).toMatchObject({ level: 30, code: "not_found", status: 200 });
    // A client error says why in one line, without a stack trace.
    expect(byMethod("Fail")?.err).toBeUndefined();
    expect(byMethod("Fail")?.reason).toEqual(expect.stringContaining("thing"));
    expect(byMethod("Echo")).toMatchObject({ level: 20, code: "ok" });
  });

  it("hides a failing HTTP route's message from callers and logs it once at error", async () => {
    const { address, log } = await start({
      configure: (app) => {
        app.get("/rest/boom", async () => {
          throw new Error("disk key is hunter2");
        });
      },
    });
    const response = await h1Request(address.url, "/rest/boom");
    expect(response.status).toBe(500);
    expect(response.body).not.toContain("hunter2");
    const entries = log.records.filter((r) => r.url === "/rest/boom");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 50,
      status: 500,
      msg: "request completed",
    });
    expect(JSON.stringify(entries[0]?.err)).toContain("hunter2");
  });

  it("logs an unknown route at info", async () => {
    const { address, log } = await start();
    expect((await h1Request(address.url, "/nowhere")).status).toBe(404);
    const entries = log.records.filter((r) => r.url === "/nowhere");
    expect(entries).toMatchObject([{ level: 30, status: 404 }]);
  });
});

describe("close", () => {
  it("drains: readiness drops, Watch ends with NOT_SERVING, in-flight calls finish", async () => {
    const { address, server } = await startTestServer();
    const transport = createGrpcTransport({ baseUrl: address.url });
    const health = createClient(Health, transport);
    const test = createClient(TestService, transport);
    const watched: Status[] = [];
    const watching = (async () => {
      for await (const { status } of health.watch({ service: "" })) watched.push(status);
    })();
    const slow = test.sleep({ value: 500 });
    await vi.waitFor(() => expect(watched).toEqual([Status.SERVING]));
    const closed = server.close({ timeoutMs: 10_000 });
    expect(server.ready).toBe(false);
    expect((await slow).value).toBe("slept 500 ms");
    await watching;
    expect(watched).toEqual([Status.SERVING, Status.NOT_SERVING]);
    await closed;
  });

  it("answers calls still running at the deadline with UNAVAILABLE", async () => {
    const { address, server } = await startTestServer();
    const test = createClient(TestService, createGrpcTransport({ baseUrl: address.url }));
    const slow = test.sleep({ value: 20_000 }).catch(ConnectError.from);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.close({ timeoutMs: 200 });
    const error = await slow;
    expect(error).toMatchObject({
      code: Code.Unavailable,
      rawMessage: "server is shutting down",
    });
  });
});
