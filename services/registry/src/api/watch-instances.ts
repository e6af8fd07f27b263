import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  ChangeKind,
  type WatchInstancesResponse,
  WatchInstancesResponseSchema,
} from "@microtodo/api/registry";
import type { Catalog } from "../catalog/catalog.js";
import type { CatalogChangeKind } from "../catalog/catalog-change.js";
import type { CatalogInstance } from "../catalog/catalog-instance.js";
import { instanceToProto } from "./instance-to-proto.js";

/** Changes a slow watcher may fall behind by before its stream ends. */
const maxQueuedChanges = 10_000;

const protoKind: Record<CatalogChangeKind, ChangeKind> = {
  added: ChangeKind.ADDED,
  updated: ChangeKind.UPDATED,
  removed: ChangeKind.REMOVED,
};

/**
 * Streams the matching instances as ADDED, then SYNCED, then every change
 * until `signal` aborts. The snapshot and the subscription happen in one
 * synchronous step, so no change falls between them. A watcher that falls
 * too far behind gets RESOURCE_EXHAUSTED and should watch again.
 */
export async function* watchInstances(
  catalog: Catalog,
  accepts: (instance: CatalogInstance) => boolean,
  signal: AbortSignal,
): AsyncGenerator<WatchInstancesResponse> {
  const queue: WatchInstancesResponse[] = [];
  for (const instance of catalog.instances()) {
    if (accepts(instance)) queue.push(change(ChangeKind.ADDED, instance));
  }
  queue.push(create(WatchInstancesResponseSchema, { kind: ChangeKind.SYNCED }));
  const maxQueued = queue.length + maxQueuedChanges;
  let wake: (() => void) | undefined;
  const unsubscribe = catalog.subscribe(({ kind, instance }) => {
    if (!accepts(instance)) return;
    queue.push(change(protoKind[kind], instance));
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    while (!signal.aborted) {
      if (queue.length > maxQueued) {
        throw new ConnectError(
          "watch fell too far behind; watch again",
          Code.ResourceExhausted,
        );
      }
      const next = queue.shift();
      if (next) yield next;
      else await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener("abort", onAbort);
  }
}

function change(kind: ChangeKind, instance: CatalogInstance): WatchInstancesResponse {
  return create(WatchInstancesResponseSchema, {
    kind,
    instance: instanceToProto(instance),
  });
}
