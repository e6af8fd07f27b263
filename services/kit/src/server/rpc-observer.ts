import {
  Code,
  ConnectError,
  type Interceptor,
  type StreamRequest,
  type StreamResponse,
  type UnaryRequest,
} from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import type { Metrics } from "../metrics/create-metrics.js";
import { requestInfoKey } from "./request-context.js";

type Finish = (error: unknown) => ConnectError | undefined;

/**
 * The kit's outermost interceptor: times every RPC, counts it by code, hands
 * the outcome to the request log, and converts anything that is not a
 * ConnectError into Internal once, so no stack or message leaks to callers.
 */
export function rpcObserver(metrics: Metrics): Interceptor {
  return (next) => async (req) => {
    const finish = startObserving(req, metrics);
    try {
      const res = req.stream
        ? await next(req)
        : await untilAborted(next(req), req.signal);
      if (!res.stream) {
        finish(undefined);
        return res;
      }
      return { ...res, message: observeStream(res, finish) };
    } catch (e) {
      throw finish(e);
    }
  };
}

function startObserving(req: UnaryRequest | StreamRequest, metrics: Metrics): Finish {
  const startedAt = performance.now();
  const info = req.contextValues.get(requestInfoKey);
  const service = req.service.typeName;
  const method = req.method.name;
  let done = false;
  return (error) => {
    const converted = error === undefined ? undefined : toConnectError(error);
    if (done) return converted;
    done = true;
    const code = converted === undefined ? "ok" : codeToString(converted.code);
    const labels = { service, method, code };
    metrics.rpcRequests.inc(labels);
    metrics.rpcDuration.observe(labels, (performance.now() - startedAt) / 1000);
    if (info !== undefined) info.outcome = { service, method, code, error };
    return converted;
  };
}

/**
 * Answers a unary call as soon as its signal aborts (client deadline, server
 * drain deadline) instead of when the handler returns, so the caller gets
 * DEADLINE_EXCEEDED or UNAVAILABLE rather than a reset. The handler keeps
 * running until it checks its signal, as in any gRPC server.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(ConnectError.from(signal.reason));
  let onAbort = () => {};
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(ConnectError.from(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() =>
    signal.removeEventListener("abort", onAbort),
  );
}

function toConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  return new ConnectError("internal error", Code.Internal, undefined, undefined, error);
}

async function* observeStream(res: StreamResponse, finish: Finish) {
  let completed = false;
  try {
    yield* res.message;
    completed = true;
    finish(undefined);
  } catch (e) {
    completed = true;
    throw finish(e);
  } finally {
    // Stopped from outside: the client went away or the server aborted it.
    if (!completed) finish(new ConnectError("stream abandoned", Code.Canceled));
  }
}
