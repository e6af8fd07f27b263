import { describe, expect, it } from "vitest";
import {
  type RequestFacts,
  readRequestHeaders,
  readResponseHeaders,
} from "./http1-headers.js";
import { isSaneRequestId } from "./request-id.js";
import { detectProtocol } from "./rpc-protocol.js";

function emptyFacts(): RequestFacts {
  return {
    contentType: "",
    contentLength: -1,
    chunked: false,
    host: "",
    requestId: "",
    forwardedFor: "",
    affinityHeader: "",
    authorization: "",
    grpcTimeout: "",
    connectTimeout: "",
    te: "",
    connection: "",
  };
}

describe("protocol detection", () => {
  it("tells the protocol family by content-type", () => {
    expect(detectProtocol("application/json")).toBe("unary");
    expect(detectProtocol("application/proto")).toBe("unary");
    expect(detectProtocol("")).toBe("unary");
    expect(detectProtocol("application/connect+json")).toBe("connect-stream");
    expect(detectProtocol("application/grpc")).toBe("grpc");
    expect(detectProtocol("application/grpc+proto")).toBe("grpc");
    expect(detectProtocol("Application/GRPC-Web+proto")).toBe("grpc-web");
    expect(detectProtocol("application/grpc-web-text")).toBe("grpc-web");
  });
});

describe("request ids", () => {
  it("accepts short ids of safe characters only", () => {
    expect(isSaneRequestId("0b5e7c1e-aa.b:c/d+e=_")).toBe(true);
    expect(isSaneRequestId("")).toBe(false);
    expect(isSaneRequestId("has space")).toBe(false);
    expect(isSaneRequestId("x".repeat(129))).toBe(false);
  });
});

describe("HTTP/1.1 header rewriting", () => {
  it("drops hop-by-hop, rewritten and pseudo headers and records what matters", () => {
    const facts = emptyFacts();
    const out = readRequestHeaders(
      [
        "Host",
        "proxy:8080",
        "Content-Type",
        "application/json",
        "Content-Length",
        "2",
        "Connection",
        "keep-alive, X-Secret-Hop",
        "X-Secret-Hop",
        "1",
        "Transfer-Encoding",
        "chunked",
        "Upgrade",
        "h2c",
        "Expect",
        "100-continue",
        "X-Forwarded-For",
        "10.0.0.1",
        "X-Forwarded-For",
        "10.0.0.2",
        "X-Request-Id",
        "abc",
        "Grpc-Timeout",
        "5S",
        ":path",
        "/x",
        "X-App",
        "kept",
      ],
      facts,
    );
    expect(out).toEqual([
      "Content-Type",
      "application/json",
      "Content-Length",
      "2",
      "X-App",
      "kept",
    ]);
    expect(facts).toMatchObject({
      host: "proxy:8080",
      contentType: "application/json",
      contentLength: 2,
      chunked: true,
      forwardedFor: "10.0.0.1, 10.0.0.2",
      requestId: "abc",
      grpcTimeout: "5S",
    });
  });

  it("converts response headers to strings without hop-by-hop ones", () => {
    const raw = [
      "Content-Type",
      "a/b",
      "Connection",
      "keep-alive",
      "Keep-Alive",
      "timeout=5",
      "Transfer-Encoding",
      "chunked",
      "grpc-status",
      "14",
      "Set-Cookie",
      "a=1",
      "Set-Cookie",
      "b=2",
    ].map((s) => Buffer.from(s));
    const facts = { grpcStatus: -1 };
    expect(readResponseHeaders(raw, facts)).toEqual([
      "Content-Type",
      "a/b",
      "grpc-status",
      "14",
      "Set-Cookie",
      "a=1",
      "Set-Cookie",
      "b=2",
    ]);
    expect(facts.grpcStatus).toBe(14);
  });
});
