/**
 * The protocol family of one call, told by its content-type. It decides how
 * the proxy words its own errors; the forwarded bytes are never touched.
 * - "unary": Connect unary (application/json, application/proto) and any
 *   other HTTP request (REST routes): errors are a JSON body with a status.
 * - "connect-stream": Connect streaming (application/connect+json|proto):
 *   errors are an end-stream message in a 200 response.
 * - "grpc": application/grpc[+proto|+json]: errors are a trailers-only
 *   response with grpc-status.
 * - "grpc-web": application/grpc-web[-text][+proto]: the same status in
 *   plain headers, which gRPC-Web clients read as trailers.
 */
export type RpcProtocol = "unary" | "connect-stream" | "grpc" | "grpc-web";

/** Maps a content-type header value (possibly empty) to its protocol family. */
export function detectProtocol(contentType: string): RpcProtocol {
  const value = hasUpperCase(contentType) ? contentType.toLowerCase() : contentType;
  if (!value.startsWith("application/")) {
    return "unary";
  }
  if (value.startsWith("grpc-web", 12)) {
    return "grpc-web";
  }
  if (value.startsWith("grpc", 12)) {
    return "grpc";
  }
  if (value.startsWith("connect+", 12)) {
    return "connect-stream";
  }
  return "unary";
}

function hasUpperCase(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      return true;
    }
  }
  return false;
}
