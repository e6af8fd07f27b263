import type { ServerResponse } from "node:http";
import type { ServerHttp2Stream } from "node:http2";
import { Code } from "@connectrpc/connect";
import { codeToHttpStatus, codeToString } from "@connectrpc/connect/protocol-connect";
import type { RpcProtocol } from "./rpc-protocol.js";

/** An answer the proxy gives itself, without reaching an instance. */
export interface ProxyFailure {
  readonly code: Code;
  readonly message: string;
  /** HTTP status for unary answers; defaults to Connect's mapping of `code`. */
  readonly httpStatus?: number;
  /** The service type concerned, when known (a metric label). */
  readonly serviceType?: string;
}

/** No route for the path: Connect servers answer an unknown procedure with
 * 404, which Connect clients read as `unimplemented`. */
export function unknownRoute(path: string): ProxyFailure {
  return {
    code: Code.Unimplemented,
    httpStatus: 404,
    message: `no service type serves ${JSON.stringify(truncate(path))}`,
  };
}

/** The type is not public and the call came through the public listener. */
export function hiddenType(serviceType: string): ProxyFailure {
  return {
    code: Code.PermissionDenied,
    serviceType,
    message: `service type "${serviceType}" is not reachable through the public listener`,
  };
}

/** The type has no instance the balancer could pick. */
export function noInstance(serviceType: string): ProxyFailure {
  return {
    code: Code.Unavailable,
    serviceType,
    message: `no healthy instance of service type "${serviceType}"`,
  };
}

/** The instance could not be reached or broke off before answering. */
export function upstreamFailed(serviceType: string, reason: string): ProxyFailure {
  return {
    code: Code.Unavailable,
    message: `service type "${serviceType}" did not answer: ${reason}`,
  };
}

/** The call's own deadline passed before the answer. */
export function deadlineExceeded(serviceType: string, timeoutMs: number): ProxyFailure {
  return {
    code: Code.DeadlineExceeded,
    message: `deadline of ${timeoutMs} ms exceeded calling service type "${serviceType}"`,
  };
}

// Wire names, precomputed once so an error costs no string building.
const codeNames: readonly string[] = Array.from({ length: 17 }, (_, c) =>
  c === 0 ? "ok" : codeToString(c),
);

/** The Connect name of a gRPC status number ("unavailable" for 14). */
export function codeName(code: number): string {
  return codeNames[code] ?? "unknown";
}

/** Answers an HTTP/1.1 request with `failure`, worded for `protocol`. */
export function sendHttp1Failure(
  res: ServerResponse,
  protocol: RpcProtocol,
  contentType: string,
  requestId: string,
  failure: ProxyFailure,
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  if (protocol === "grpc" || protocol === "grpc-web") {
    res.writeHead(200, {
      "content-type": grpcContentType(protocol, contentType),
      "grpc-status": String(failure.code),
      "grpc-message": encodeURIComponent(failure.message),
      "x-request-id": requestId,
      "content-length": "0",
    });
    res.end();
    return;
  }
  const stream = protocol === "connect-stream";
  const body = stream ? endStreamMessage(failure) : Buffer.from(errorJson(failure));
  res.writeHead(stream ? 200 : unaryStatus(failure), {
    "content-type": stream ? contentType : "application/json",
    "content-length": String(body.length),
    "x-request-id": requestId,
  });
  res.end(body);
}

/** Answers an HTTP/2 stream with `failure`, worded for `protocol`. gRPC gets
 * a trailers-only response: one HEADERS frame carrying the status. */
export function sendHttp2Failure(
  stream: ServerHttp2Stream,
  protocol: RpcProtocol,
  contentType: string,
  requestId: string,
  failure: ProxyFailure,
): void {
  if (stream.headersSent || stream.destroyed) {
    stream.close();
    return;
  }
  if (protocol === "grpc" || protocol === "grpc-web") {
    stream.respond(
      {
        ":status": 200,
        "content-type": grpcContentType(protocol, contentType),
        "grpc-status": String(failure.code),
        "grpc-message": encodeURIComponent(failure.message),
        "x-request-id": requestId,
      },
      { endStream: true },
    );
    return;
  }
  const isStream = protocol === "connect-stream";
  stream.respond({
    ":status": isStream ? 200 : unaryStatus(failure),
    "content-type": isStream ? contentType : "application/json",
    "x-request-id": requestId,
  });
  stream.end(isStream ? endStreamMessage(failure) : errorJson(failure));
}

function unaryStatus(failure: ProxyFailure): number {
  return failure.httpStatus ?? codeToHttpStatus(failure.code);
}

function errorJson(failure: ProxyFailure): string {
  return JSON.stringify({ code: codeName(failure.code), message: failure.message });
}

// A Connect end-stream message: flags 0b10, a 4-byte big-endian length, and
// JSON carrying the error, whatever codec the stream itself uses.
function endStreamMessage(failure: ProxyFailure): Buffer {
  const json = Buffer.from(`{"error":${errorJson(failure)}}`);
  const frame = Buffer.allocUnsafe(5 + json.length);
  frame[0] = 0b10;
  frame.writeUInt32BE(json.length, 1);
  json.copy(frame, 5);
  return frame;
}

function grpcContentType(protocol: RpcProtocol, contentType: string): string {
  if (contentType !== "") {
    return contentType;
  }
  return protocol === "grpc" ? "application/grpc" : "application/grpc-web+proto";
}

function truncate(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}
