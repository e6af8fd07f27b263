import http from "node:http";
import http2 from "node:http2";
import net from "node:net";

/** Status, headers and body of a test request. */
export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP/2 (prior knowledge) GET or POST on a fresh session, closed afterwards. */
export async function h2Request(
  url: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<TestResponse> {
  const session = http2.connect(url);
  try {
    return await new Promise<TestResponse>((resolve, reject) => {
      session.once("error", reject);
      const stream = session.request({
        ":method": init.method ?? "GET",
        ":path": path,
        ...init.headers,
      });
      let body = "";
      let headers: http2.IncomingHttpHeaders = {};
      stream.on("response", (h) => (headers = h));
      stream.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      stream.once("end", () =>
        resolve({ status: Number(headers[":status"]), headers, body }),
      );
      stream.once("error", reject);
      stream.end(init.body);
    });
  } finally {
    session.close();
  }
}

/** One HTTP/1.1 request on a fresh connection (no pooling, so tests see real sockets). */
export function h1Request(
  url: string,
  path: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    agent?: http.Agent;
  } = {},
): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, url), {
      method: init.method ?? "GET",
      headers: init.headers,
      agent: init.agent ?? false,
    });
    req.once("error", reject);
    req.once("response", (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.once("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body }),
      );
    });
    req.end(init.body);
  });
}

/** Resolves true if a TCP connection to host:port is refused. */
export function connectionRefused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (err: NodeJS.ErrnoException) =>
      resolve(err.code === "ECONNREFUSED"),
    );
  });
}
