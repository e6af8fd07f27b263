import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  Code,
  ConnectError,
  type HandlerContext,
  type ServiceImpl,
} from "@connectrpc/connect";
import {
  BucketSchema,
  type ListSourcesResponse,
  ListSourcesResponseSchema,
  type LoggerService,
  Order,
  type PushRequest,
  type PushResponse,
  PushResponseSchema,
  type QueryRequest,
  type QueryResponse,
  QueryResponseSchema,
  type Rejection,
  RejectionSchema,
  SourceSchema,
  type StatsRequest,
  type StatsResponse,
  StatsResponseSchema,
  type TailRequest,
  type TailResponse,
  TailResponseSchema,
} from "@microtodo/api/logger";
import { drainSignalFromContext } from "@microtodo/kit";
import type { Logger } from "pino";
import { GroupCommit } from "../ingest/group-commit.js";
import { validateRecord } from "../ingest/validate-record.js";
import {
  defaultBucketMs,
  defaultQueryLimit,
  maxBucketMs,
  maxFutureSkewMs,
  maxPushRecords,
  maxQueryLimit,
  maxStatsBuckets,
  minBucketMs,
} from "../limits.js";
import { encodeCursor } from "../store/cursor.js";
import type { NewLogRecord } from "../store/log-record.js";
import type { LogStore } from "../store/log-store.js";
import { levelCountMessages, recordMessage } from "./record-message.js";
import { invalid, parseCursor, parseFilter } from "./request-parsing.js";

/** What the LoggerService handlers need. */
export interface LoggerServiceDeps {
  /** Where records are kept. */
  readonly store: LogStore;
  /** The clock for the future-time check and Stats defaults. Default Date.now. */
  readonly now?: () => number;
  /**
   * Aborting it ends every open Tail stream. Under a kit server they also
   * end when it starts draining.
   */
  readonly shutdownSignal?: AbortSignal;
  /** Records a Tail reads from the store per step. Default 500. */
  readonly tailBatchRecords?: number;
  /** Told about storage failures, which callers only see as a code. */
  readonly logger?: Pick<Logger, "error">;
}

/** The microtodo.logger.v1.LoggerService handlers, for `router.service`. */
export function createLoggerService(
  deps: LoggerServiceDeps,
): ServiceImpl<typeof LoggerService> {
  const now = deps.now ?? Date.now;
  const storageError = storageErrors(deps.logger);
  const guard = storageGuard(storageError);
  const writer = new GroupCommit(deps.store);
  return {
    push: (req) => push(writer, req, now(), storageError),
    query: (req) => guard(() => query(deps.store, req)),
    tail: (req, ctx) => tail(deps, req, ctx, guard),
    listSources: () => guard(() => listSources(deps.store)),
    stats: (req) => guard(() => stats(deps.store, req, now())),
  };
}

async function push(
  writer: GroupCommit,
  req: PushRequest,
  nowMs: number,
  storageError: StorageError,
): Promise<PushResponse> {
  if (req.records.length > maxPushRecords) {
    throw invalid(
      `records: ${req.records.length} in one Push; at most ${maxPushRecords}`,
    );
  }
  const accepted: NewLogRecord[] = [];
  const rejected: Rejection[] = [];
  req.records.forEach((record, index) => {
    const result = validateRecord(record, nowMs);
    if (result.ok) accepted.push(result.record);
    else rejected.push(create(RejectionSchema, { index, reason: result.reason }));
  });
  try {
    await writer.write(accepted);
  } catch (err) {
    throw storageError(err);
  }
  return create(PushResponseSchema, { stored: accepted.length, rejected });
}

function query(store: LogStore, req: QueryRequest): QueryResponse {
  const filter = parseFilter(req.filter);
  const limit = parseLimit(req.limit);
  const newestFirst = parseOrder(req.order);
  const after =
    req.cursor === "" ? undefined : parseCursor(req.cursor, "cursor", store.storeId);
  // One extra row says whether another page exists.
  const { records, resumeAfter } = store.queryPage({
    filter,
    newestFirst,
    limit: limit + 1,
    after,
  });
  const page = records.slice(0, limit);
  const last = page.at(-1);
  const next = records.length > limit ? last : resumeAfter;
  return create(QueryResponseSchema, {
    records: page.map((r) => recordMessage(r, store.storeId)),
    nextCursor: next
      ? encodeCursor({ storeId: store.storeId, timeMs: next.timeMs, seq: next.seq })
      : "",
  });
}

function parseLimit(limit: number): number {
  if (limit === 0) return defaultQueryLimit;
  if (limit > maxQueryLimit) throw invalid(`limit: ${limit}; at most ${maxQueryLimit}`);
  return limit;
}

function parseOrder(order: Order): boolean {
  if (order === Order.UNSPECIFIED || order === Order.NEWEST_FIRST) return true;
  if (order === Order.OLDEST_FIRST) return false;
  throw invalid(`order: ${order} is not a known order`);
}

/**
 * Streams records in arrival (seq) order: first those stored after the
 * cursor, then each new one. Every step reads the store from the last
 * seq looked at, and waiting for the next commit is registered in the
 * same synchronous turn as the read that found nothing, so no record can
 * slip between backlog and live, and none is sent twice.
 */
async function* tail(
  deps: LoggerServiceDeps,
  req: TailRequest,
  ctx: HandlerContext,
  guard: StorageGuard,
): AsyncGenerator<TailResponse> {
  const { store } = deps;
  const filter = parseFilter(req.filter);
  let scanned =
    req.afterCursor === ""
      ? store.lastSeq
      : parseCursor(req.afterCursor, "after_cursor", store.storeId).seq;
  // A kit server aborts the drain signal when shutdown starts, so tails
  // end then instead of holding the drain until its deadline.
  const stops = [ctx.signal, drainSignalFromContext(ctx)];
  if (deps.shutdownSignal) stops.push(deps.shutdownSignal);
  const signal = AbortSignal.any(stops);
  const batch = deps.tailBatchRecords ?? 500;
  while (!signal.aborted) {
    const through = store.lastSeq;
    if (through <= scanned) {
      await store.waitForArrival(scanned, signal);
      continue;
    }
    const page = guard(() => store.readArrivals(filter, scanned, through, batch));
    scanned = page.scannedThroughSeq;
    for (const record of page.records) {
      yield create(TailResponseSchema, { record: recordMessage(record, store.storeId) });
    }
    // A long backlog without matches is read in windows; let Pushes in
    // between them.
    if (page.records.length === 0) await yieldToEventLoop();
  }
}

function listSources(store: LogStore): ListSourcesResponse {
  const sources = store.listSources().map((s) =>
    create(SourceSchema, {
      serviceType: s.serviceType,
      instance: s.instance,
      firstSeen: timestampFromMs(s.firstSeenMs),
      lastSeen: timestampFromMs(s.lastSeenMs),
      counts: levelCountMessages(s.counts),
    }),
  );
  return create(ListSourcesResponseSchema, { sources });
}

/**
 * Stats covers [since, until) of the filter; until defaults to now plus
 * the clock skew Push accepts, since to 1,000 buckets before until.
 */
function stats(store: LogStore, req: StatsRequest, nowMs: number): StatsResponse {
  const filter = parseFilter(req.filter);
  const bucketMs = parseBucketMs(req.bucketMs);
  const untilMs = filter.untilMs ?? nowMs + maxFutureSkewMs;
  const sinceMs = filter.sinceMs ?? untilMs - 1_000 * bucketMs;
  const spanned = Math.ceil((untilMs - sinceMs) / bucketMs);
  if (spanned > maxStatsBuckets) {
    throw invalid(
      `bucket_ms: the range spans ${spanned} buckets; at most ${maxStatsBuckets}`,
    );
  }
  const ranged = { ...filter, sinceMs, untilMs };
  const buckets = store.stats(ranged, bucketMs).map((b) =>
    create(BucketSchema, {
      start: timestampFromMs(b.startMs),
      counts: levelCountMessages(b.counts),
    }),
  );
  return create(StatsResponseSchema, { buckets });
}

function parseBucketMs(bucketMs: number): number {
  if (bucketMs === 0) return defaultBucketMs;
  if (bucketMs < minBucketMs || bucketMs > maxBucketMs) {
    throw invalid(`bucket_ms: ${bucketMs}; between ${minBucketMs} and ${maxBucketMs}`);
  }
  return bucketMs;
}

type StorageGuard = <T>(call: () => T) => T;
type StorageError = (err: unknown) => ConnectError;

function storageGuard(storageError: StorageError): StorageGuard {
  return (call) => {
    try {
      return call();
    } catch (err) {
      throw storageError(err);
    }
  };
}

// SQLite errors become one ConnectError each, logged here once; errors
// that already are ConnectErrors (validation) pass through.
function storageErrors(logger: Pick<Logger, "error"> | undefined): StorageError {
  return (err) => {
    if (err instanceof ConnectError) return err;
    logger?.error({ err }, "log storage failed");
    const code = (err as { code?: unknown }).code;
    if (code === "SQLITE_FULL") {
      return new ConnectError("log storage is full", Code.ResourceExhausted);
    }
    return new ConnectError("log storage failed", Code.Internal);
  };
}
