import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyHarness, startProxy } from "./testing/proxy-harness.js";
import { http2Call } from "./testing/raw-clients.js";
import { localTarget, RoundRobinSelector } from "./testing/round-robin-selector.js";
import {
  type ConnectUpstream,
  checkOverGrpc,
  createGrpcHealthClient,
  type GrpcUpstream,
  startConnectUpstream,
  startGrpcUpstream,
} from "./testing/upstream-servers.js";

// The logger type is internal: its calls must never leave the public door.
describe("calls the proxy refuses", () => {
  let connectUpstream: ConnectUpstream;
  let grpcUpstream: GrpcUpstream;
  let publicProxy: ProxyHarness;
  let internalProxy: ProxyHarness;
  let selector: RoundRobinSelector;

  beforeAll(async () => {
    connectUpstream = await startConnectUpstream("logger-1");
    grpcUpstream = await startGrpcUpstream("logger-2");
    selector = new RoundRobinSelector()
      .addRoute("/grpc.health.v1.Health/", "logger", "internal")
      .addRoute("/microtodo.todo.v1.TodoService/", "todo", "public")
      .setTargets("logger", [localTarget("logger", connectUpstream.port)])
      .setTargets("todo", []);
    publicProxy = await startProxy(selector, "public");
    internalProxy = await startProxy(selector, "internal");
  });

  afterAll(async () => {
    await Promise.all([publicProxy.close(), internalProxy.close()]);
    await Promise.all([connectUpstream.close(), grpcUpstream.close()]);
  });

  function postJson(baseUrl: string, path: string, contentType = "application/json") {
    return fetch(`${baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": contentType },
      body: "{}",
    });
  }

  it("answers permission_denied in Connect form for an internal type on the public listener", async () => {
    const res = await postJson(publicProxy.http1Url, "/grpc.health.v1.Health/Check");
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      code: "permission_denied",
      message: 'service type "logger" is not reachable through the public listener',
    });
    expect(connectUpstream.requests).toHaveLength(0);
  });

  it("answers permission_denied in gRPC form and reaches no instance", async () => {
    selector.setTargets("logger", [localTarget("logger", grpcUpstream.port)]);
    const client = createGrpcHealthClient(`127.0.0.1:${publicProxy.http2Port}`);
    try {
      const err = await checkOverGrpc(client).catch((e: grpc.ServiceError) => e);
      expect(err).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
      expect((err as grpc.ServiceError).details).toContain('"logger"');
      expect(grpcUpstream.metadata).toHaveLength(0);
    } finally {
      client.close();
      selector.setTargets("logger", [localTarget("logger", connectUpstream.port)]);
    }
  });

  it("answers permission_denied in gRPC-Web form in the response headers", async () => {
    const res = await postJson(
      publicProxy.http1Url,
      "/grpc.health.v1.Health/Check",
      "application/grpc-web+proto",
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("grpc-status")).toBe("7");
    expect(decodeURIComponent(res.headers.get("grpc-message") ?? "")).toContain(
      '"logger"',
    );
  });

  it("lets the internal listener reach internal types", async () => {
    const res = await postJson(internalProxy.http1Url, "/grpc.health.v1.Health/Check");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "SERVING" });
    expect(connectUpstream.requests).toHaveLength(1);
  });

  it("answers unavailable naming the type when it has no instance", async () => {
    const res = await postJson(
      publicProxy.http1Url,
      "/microtodo.todo.v1.TodoService/GetTask",
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      code: "unavailable",
      message: 'no healthy instance of service type "todo"',
    });
    const grpcAnswer = await http2Call(publicProxy.http2Url, {
      ":path": "/microtodo.todo.v1.TodoService/GetTask",
      "content-type": "application/grpc",
    });
    expect(grpcAnswer.headers["grpc-status"]).toBe("14");
  });

  it("answers 404 unimplemented naming the path for an unknown route", async () => {
    const res = await postJson(publicProxy.http1Url, "/nope.v1.Nope/Call?x=1");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: "unimplemented",
      message: 'no service type serves "/nope.v1.Nope/Call"',
    });
  });

  it("answers an unknown gRPC route with a trailers-only status 12", async () => {
    const answer = await http2Call(publicProxy.http2Url, {
      ":path": "/nope.v1.Nope/Call",
      "content-type": "application/grpc",
    });
    expect(answer.trailersOnly).toBe(true);
    expect(answer.headers[":status"]).toBe(200);
    expect(answer.headers["grpc-status"]).toBe("12");
    expect(decodeURIComponent(String(answer.headers["grpc-message"]))).toContain(
      "/nope.v1.Nope/Call",
    );
  });

  it("words a Connect streaming refusal as an end-stream message", async () => {
    const res = await postJson(
      publicProxy.http1Url,
      "/grpc.health.v1.Health/Watch",
      "application/connect+json",
    );
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body[0]).toBe(2);
    expect(JSON.parse(body.subarray(5).toString())).toEqual({
      error: {
        code: "permission_denied",
        message: 'service type "logger" is not reachable through the public listener',
      },
    });
  });

  it("counts refusals by type and code", async () => {
    const text = await publicProxy.registry.metrics();
    expect(text).toMatch(
      /registry_proxy_refused_total\{type="logger",code="permission_denied"\} [1-9]/,
    );
    expect(text).toMatch(
      /registry_proxy_refused_total\{type="",code="unimplemented"\} [1-9]/,
    );
  });
});
