import http from "node:http";
import { gunzipSync } from "node:zlib";
import { Code, ConnectError, createClient, type ServiceImpl } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startTestServer, type TestServer } from "../testing/start-test-server.js";
import { TestService, testServiceImpl } from "../testing/test-service.js";
import { peerAddressFromContext } from "./request-context.js";

const running: TestServer[] = [];
type StartOptions = Parameters<typeof startTestServer>[0];

/** A test server with the fast path on unless the options say otherwise. */
async function start(options: StartOptions = {}) {
  const started = await startTestServer({ unaryFastPath: true, ...options });
  running.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(
    running.splice(0).map(({ server }) => server.close({ timeoutMs: 1000 })),
  );
});

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP/1.1 POST whose answer comes back as raw bytes. */
function post(
  url: string,
  path: string,
  headers: Record<string, string>,
  body: string | Buffer,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, url), { method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.once("error", reject);
    req.end(body);
  });
}

const echoPath = "/microtodo.kit.test.v1.TestService/Echo";
const json = { "content-type": "application/json" };

describe("unary fast path", () => {
  it("serves unary Connect calls over HTTP/1.1 without fastify, other protocols with it", async () => {
    let fastifyRequests = 0;
    const { address } = await start({
      configure: (app) => {
        app.addHook("onRequest", async () => {
          fastifyRequests++;
        });
      },
    });
    const connect = createClient(
      TestService,
      createConnectTransport({ baseUrl: address.url, httpVersion: "1.1" }),
    );
    expect((await connect.echo({ value: "fast" })).value).toBe("fast");
    expect(fastifyRequests).toBe(0);
    const grpc = createClient(TestService, createGrpcTransport({ baseUrl: address.url }));
    expect((await grpc.echo({ value: "slow" })).value).toBe("slow");
    expect(fastifyRequests).toBe(1);
  });

  it("leaves every call to fastify unless unaryFastPath is set", async () => {
    let fastifyRequests = 0;
    const { address } = await start({
      unaryFastPath: undefined,
      configure: (app) => {
        app.addHook("onRequest", async () => {
          fastifyRequests++;
        });
      },
    });
    const connect = createClient(
      TestService,
      createConnectTransport({ baseUrl: address.url, httpVersion: "1.1" }),
    );
    expect((await connect.echo({ value: "hooked" })).value).toBe("hooked");
    expect(fastifyRequests).toBe(1);
  });

  it("gives handlers the TCP peer's address on the fast path and through fastify", async () => {
    const seen: Array<string | undefined> = [];
    const { address } = await start({
      routes: (router) =>
        router.service(TestService, {
          ...testServiceImpl,
          echo: (request, ctx) => {
            seen.push(peerAddressFromContext(ctx));
            return { value: request.value };
          },
        }),
    });
    const connect = createClient(
      TestService,
      createConnectTransport({ baseUrl: address.url, httpVersion: "1.1" }),
    );
    const grpc = createClient(TestService, createGrpcTransport({ baseUrl: address.url }));
    await connect.echo({ value: "fast" });
    await grpc.echo({ value: "slow" });
    expect(seen).toEqual(["127.0.0.1", "127.0.0.1"]);
  });

  it("answers a Connect error as Connect does: status, JSON body, metadata headers", async () => {
    const { address } = await start();
    const response = await post(
      address.url,
      "/microtodo.kit.test.v1.TestService/Fail",
      json,
      '"thing"',
    );
    expect(response.status).toBe(404);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body.toString())).toEqual({
      code: "not_found",
      message: 'no thing named "thing"',
    });
    expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses a declared body larger than maxBodyBytes before reading it", async () => {
    const { address } = await start({ maxBodyBytes: 64 });
    const body = JSON.stringify("x".repeat(100));
    const response = await post(address.url, echoPath, json, body);
    expect(response.status).toBe(429);
    expect(JSON.parse(response.body.toString())).toMatchObject({
      code: "resource_exhausted",
    });
  });

  it("gzips answers of at least compressMinBytes for clients that accept gzip, only those", async () => {
    const { address } = await start({ compressMinBytes: 100 });
    const long = JSON.stringify("y".repeat(200));
    const gzip = { ...json, "accept-encoding": "gzip" };
    const big = await post(address.url, echoPath, gzip, long);
    expect(big.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(big.body).toString()).toBe(long);
    const small = await post(address.url, echoPath, gzip, '"short"');
    expect(small.headers["content-encoding"]).toBeUndefined();
    const notAccepted = await post(address.url, echoPath, json, long);
    expect(notAccepted.headers["content-encoding"]).toBeUndefined();
    expect(notAccepted.body.toString()).toBe(long);
  });

  it("aborts the handler's signal when the client goes away mid-call", async () => {
    let started = false;
    let aborted: unknown;
    const impl: ServiceImpl<typeof TestService> = {
      ...testServiceImpl,
      sleep: (_request, ctx) =>
        new Promise((_resolve, reject) => {
          started = true;
          ctx.signal.addEventListener("abort", () => {
            aborted = ctx.signal.reason;
            reject(ctx.signal.reason);
          });
        }),
    };
    const { address } = await start({
      routes: (router) => router.service(TestService, impl),
    });
    const controller = new AbortController();
    const client = createClient(
      TestService,
      createConnectTransport({ baseUrl: address.url, httpVersion: "1.1" }),
    );
    const call = client
      .sleep({ value: 60_000 }, { signal: controller.signal })
      .catch(ConnectError.from);
    await vi.waitFor(() => expect(started).toBe(true));
    controller.abort();
    expect(await call).toMatchObject({ code: Code.Canceled });
    await vi.waitFor(() => expect(aborted).toMatchObject({ code: Code.Canceled }));
  });
});
