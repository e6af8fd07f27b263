// Header rewriting for calls forwarded over HTTP/1.1, done in one pass over
// Node's flat rawHeaders array ([name, value, name, value, ...]) so that no
// header object is built for the request.

/** What the proxy needs to know from a request's headers. */
export interface RequestFacts {
  contentType: string;
  /** -1 when absent. */
  contentLength: number;
  chunked: boolean;
  host: string;
  /** As received; sanitised later. */
  requestId: string;
  forwardedFor: string;
  affinityHeader: string;
  authorization: string;
  /** "" when absent; forwarded later with the time that is left. */
  grpcTimeout: string;
  connectTimeout: string;
  te: string;
  /** The Connection header: names it lists are hop-by-hop too. */
  connection: string;
}

/** A request's headers minus hop-by-hop ones and those the proxy rewrites
 * (host, x-forwarded-*, x-request-id, timeouts), with `facts` filled in. */
export function readRequestHeaders(
  raw: readonly string[],
  facts: RequestFacts,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (keepRequestHeader(lower, value, facts)) {
      out.push(name, value);
    }
  }
  if (facts.connection !== "") {
    return dropConnectionListed(out, facts.connection);
  }
  return out;
}

// Records what the proxy needs and says whether the header goes upstream.
function keepRequestHeader(lower: string, value: string, facts: RequestFacts): boolean {
  switch (lower) {
    case "content-type":
      facts.contentType = value;
      return true;
    case "content-length":
      facts.contentLength = Number(value);
      return true;
    case "authorization":
      facts.authorization = value;
      return true;
    case "x-affinity-key":
      facts.affinityHeader = value;
      return true;
    case "host":
      facts.host = value;
      return false;
    case "x-request-id":
      facts.requestId = value;
      return false;
    case "x-forwarded-for":
      facts.forwardedFor =
        facts.forwardedFor === "" ? value : `${facts.forwardedFor}, ${value}`;
      return false;
    case "grpc-timeout":
      facts.grpcTimeout = value;
      return false;
    case "connect-timeout-ms":
      facts.connectTimeout = value;
      return false;
    case "transfer-encoding":
      facts.chunked = true;
      return false;
    case "te":
      facts.te = value;
      return false;
    case "connection":
      facts.connection = value;
      return false;
    case "keep-alive":
    case "proxy-connection":
    case "proxy-authorization":
    case "proxy-authenticate":
    case "upgrade":
    case "trailer":
    case "expect":
    case "x-forwarded-host":
    case "x-forwarded-proto":
      return false;
    default:
      return lower.charCodeAt(0) !== 58; // HTTP/2 pseudo-headers (":path") never go to HTTP/1.1
  }
}

function dropConnectionListed(headers: string[], connection: string): string[] {
  const listed = new Set<string>();
  for (const token of connection.split(",")) {
    const name = token.trim().toLowerCase();
    if (name !== "" && name !== "close" && name !== "keep-alive") {
      listed.add(name);
    }
  }
  if (listed.size === 0) {
    return headers;
  }
  const kept: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!listed.has((headers[i] as string).toLowerCase())) {
      kept.push(headers[i] as string, headers[i + 1] as string);
    }
  }
  return kept;
}

/** What the proxy needs to know from a response's headers. */
export interface ResponseFacts {
  /** grpc-status of a trailers-only gRPC-Web answer, -1 when absent. */
  grpcStatus: number;
}

/** Converts undici's raw response headers (Buffers) into the flat string
 * array that `res.writeHead` takes, without hop-by-hop headers. */
export function readResponseHeaders(
  raw: readonly Buffer[],
  facts: ResponseFacts,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString("latin1");
    const value = (raw[i + 1] as Buffer).toString("latin1");
    if (isHopByHopResponseHeader(name)) {
      continue;
    }
    if (name.length === 11 && name.toLowerCase() === "grpc-status") {
      facts.grpcStatus = Number(value);
    }
    out.push(name, value);
  }
  return out;
}

// Only names of these lengths can be hop-by-hop, so most headers are
// decided by one comparison.
function isHopByHopResponseHeader(name: string): boolean {
  switch (name.length) {
    case 7: {
      const lower = name.toLowerCase();
      return lower === "upgrade" || lower === "trailer";
    }
    case 10: {
      const lower = name.toLowerCase();
      return lower === "connection" || lower === "keep-alive";
    }
    case 16:
      return name.toLowerCase() === "proxy-connection";
    case 17:
      return name.toLowerCase() === "transfer-encoding";
    default:
      return false;
  }
}
