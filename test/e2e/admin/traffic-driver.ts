import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { TodoService } from "@microtodo/api/todo";

/** Calls kept going through the registry until stopped. */
export interface TrafficDriver {
  /** Calls completed so far. */
  readonly calls: number;
  stop(): Promise<void>;
}

/**
 * Sends ListLists through the registry's public listener, `concurrency`
 * calls at a time, so the admin UI has traffic to split among instances.
 * Failed calls are counted too: the point is load, and the tests check
 * their own conditions through the UI.
 */
export function driveTraffic(
  publicUrl: string,
  accessToken: string,
  concurrency = 2,
): TrafficDriver {
  const transport = createConnectTransport({
    baseUrl: publicUrl,
    httpVersion: "1.1",
    interceptors: [
      (next) => (req) => {
        req.header.set("authorization", `Bearer ${accessToken}`);
        return next(req);
      },
    ],
  });
  const todo = createClient(TodoService, transport);
  let stopped = false;
  let calls = 0;
  const worker = async () => {
    while (!stopped) {
      await todo.listLists({}).catch(() => {});
      calls += 1;
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    get calls() {
      return calls;
    },
    stop: async () => {
      stopped = true;
      await Promise.all(workers);
    },
  };
}
