import { connect, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http2";

/** What came back on one raw HTTP/2 stream. */
export interface Http2Answer {
  headers: IncomingHttpHeaders;
  /** Present unless the answer was trailers-only. */
  trailers: IncomingHttpHeaders | undefined;
  body: Buffer;
  /** Whether END_STREAM came with the response headers. */
  trailersOnly: boolean;
}

/** Sends one request over a fresh h2c connection and collects the answer. */
export async function http2Call(
  baseUrl: string,
  headers: OutgoingHttpHeaders,
  body: Uint8Array = grpcFrame(new Uint8Array(0)),
): Promise<Http2Answer> {
  const session = connect(baseUrl);
  try {
    return await new Promise<Http2Answer>((resolve, reject) => {
      const stream = session.request({ ":method": "POST", ...headers });
      const chunks: Buffer[] = [];
      const answer: Http2Answer = {
        headers: {},
        trailers: undefined,
        body: Buffer.alloc(0),
        trailersOnly: false,
      };
      stream.on("response", (h, flags) => {
        answer.headers = h;
        answer.trailersOnly = (flags & 1) !== 0;
      });
      stream.on("trailers", (t) => {
        answer.trailers = t;
      });
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("error", reject);
      stream.on("close", () => {
        answer.body = Buffer.concat(chunks);
        resolve(answer);
      });
      stream.end(body);
    });
  } finally {
    session.close();
  }
}

/** A gRPC length-prefixed message frame around `message`. */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}
