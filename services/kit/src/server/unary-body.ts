import type { IncomingMessage } from "node:http";
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Reads a unary call's whole body, refusing more than `readMaxBytes` with
 * RESOURCE_EXHAUSTED as Connect's handlers do (the declared length is
 * checked before anything is read). What a refused body still sends is
 * discarded by Node once the answer is written.
 */
export function readUnaryBody(
  req: IncomingMessage,
  readMaxBytes: number,
): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? -1);
  if (declared > readMaxBytes) {
    return Promise.reject(tooLarge(readMaxBytes, declared));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > readMaxBytes) {
        stop();
        req.resume();
        reject(tooLarge(readMaxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onClose = () => {
      stop();
      reject(new ConnectError("client closed the connection", Code.Canceled));
    };
    const stop = () => {
      req
        .off("data", onData)
        .off("end", onEnd)
        .off("error", onClose)
        .off("close", onClose);
    };
    req.on("data", onData).on("end", onEnd).on("error", onClose).on("close", onClose);
  });
}

function tooLarge(readMaxBytes: number, declared?: number): ConnectError {
  const size = declared === undefined ? "" : ` ${declared}`;
  return new ConnectError(
    `message size${size} is larger than configured readMaxBytes ${readMaxBytes}`,
    Code.ResourceExhausted,
  );
}
