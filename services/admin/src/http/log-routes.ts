import type { Client } from "@connectrpc/connect";
import type { LoggerService } from "@microtodo/api/logger";
import { Order } from "@microtodo/api/logger";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { isoTime } from "../instances/instance-json.js";
import {
  cursorSchema,
  levelName,
  levelNames,
  logFilterFields,
  logRecordJson,
  toLoggerFilter,
} from "../logs/log-query.js";
import { type ApiContext, openSessionStream, requireSession } from "./api-context.js";
import { apiErrorFrom, invalidArgument } from "./api-error.js";
import { parseInput } from "./parse-input.js";

const queryParams = z.strictObject({
  ...logFilterFields,
  limit: z.coerce
    .number({ error: "must be a whole number from 1 to 1000" })
    .int("must be a whole number from 1 to 1000")
    .min(1, "must be a whole number from 1 to 1000")
    .max(1000, "must be a whole number from 1 to 1000")
    .default(200),
  cursor: cursorSchema.optional(),
});

const statsParams = z.strictObject({
  ...logFilterFields,
  bucketMs: z.coerce
    .number({ error: "must be a whole number of milliseconds" })
    .int("must be a whole number of milliseconds")
    .min(1000, "must be at least 1000")
    .max(86_400_000, "must be at most 86400000 (one day)")
    .optional(),
});

const tailParams = z.strictObject({ ...logFilterFields, after: cursorSchema.optional() });

const emptyQuery = z.strictObject({});

/** Stats ranges default to the last hour, split into about this many buckets. */
const defaultRangeMs = 3_600_000;
const targetBuckets = 60;
/** The logger refuses more buckets than this in one Stats call. */
const maxBuckets = 10_000;

/** Query, stats, sources and the live tail of the logger. */
export function registerLogRoutes(api: FastifyInstance, ctx: ApiContext): void {
  const withLogger = async <T>(
    call: (logger: Client<typeof LoggerService>) => Promise<T>,
  ): Promise<T> => {
    try {
      return await call(await ctx.upstreams.logger());
    } catch (err) {
      ctx.upstreams.noteFailure("logger", err);
      throw apiErrorFrom(err, "logger");
    }
  };

  api.get("/logs", async (request) => {
    await requireSession(ctx, request);
    const query = parseInput(queryParams, request.query, "query");
    const filter = toLoggerFilter(query);
    const page = await withLogger((logger) =>
      logger.query(
        {
          filter,
          order: Order.NEWEST_FIRST,
          limit: query.limit,
          cursor: query.cursor ?? "",
        },
        { timeoutMs: 10_000 },
      ),
    );
    return { records: page.records.map(logRecordJson), nextCursor: page.nextCursor };
  });

  api.get("/logs/stats", async (request) => {
    await requireSession(ctx, request);
    const query = parseInput(statsParams, request.query, "query");
    const untilMs = query.until ? Date.parse(query.until) : Date.now();
    const sinceMs = query.since ? Date.parse(query.since) : untilMs - defaultRangeMs;
    const filter = toLoggerFilter(query, { sinceMs, untilMs });
    const bucketMs = query.bucketMs ?? defaultBucketMs(untilMs - sinceMs);
    const firstMs = Math.floor(sinceMs / bucketMs) * bucketMs;
    if ((untilMs - firstMs) / bucketMs > maxBuckets) {
      throw invalidArgument(
        `bucketMs: too small for the range (at most ${maxBuckets} buckets)`,
      );
    }
    const stats = await withLogger((logger) =>
      logger.stats({ filter, bucketMs }, { timeoutMs: 10_000 }),
    );
    const counted = new Map(
      stats.buckets.map((bucket) => [isoTime(bucket.start), bucket]),
    );
    const buckets = [];
    // Every bucket of the range, empty ones included, so charts need no gap logic.
    for (let startMs = firstMs; startMs < untilMs; startMs += bucketMs) {
      const start = new Date(startMs).toISOString();
      const counts = Object.fromEntries(levelNames.map((name) => [name, 0]));
      for (const { level, count } of counted.get(start)?.counts ?? []) {
        counts[levelName(level)] = Number(count);
      }
      buckets.push({ start, counts });
    }
    return { bucketMs, buckets };
  });

  api.get("/logs/sources", async (request) => {
    await requireSession(ctx, request);
    parseInput(emptyQuery, request.query, "query");
    const { sources } = await withLogger((logger) =>
      logger.listSources({}, { timeoutMs: 10_000 }),
    );
    return {
      sources: sources.map((source) => ({
        serviceType: source.serviceType,
        instance: source.instance,
        firstSeen: isoTime(source.firstSeen),
        lastSeen: isoTime(source.lastSeen),
        counts: Object.fromEntries(
          source.counts.map(({ level, count }) => [levelName(level), Number(count)]),
        ),
      })),
    };
  });

  api.get("/logs/tail", async (request, reply) => {
    const session = await requireSession(ctx, request);
    const query = parseInput(tailParams, request.query, "query");
    const lastEventId = parseLastEventId(request.headers["last-event-id"]);
    const filter = toLoggerFilter(query);
    const logger = await withLogger(async (client) => client);
    const stream = openSessionStream(ctx, session, reply);
    const afterCursor = lastEventId ?? query.after ?? "";
    try {
      const records = logger.tail({ filter, afterCursor }, { signal: stream.signal });
      for await (const { record } of records) {
        if (record) stream.send("record", logRecordJson(record), record.cursor);
      }
    } catch (err) {
      if (stream.signal.aborted) return;
      ctx.upstreams.noteFailure("logger", err);
      const error = apiErrorFrom(err, "logger");
      // A cursor from another logger instance can never resume: clear the
      // browser's Last-Event-ID so its reconnect starts afresh.
      const clearId = error.code === "failed_precondition" ? "" : undefined;
      stream.send("failed", error.toJSON(), clearId);
    }
    // The browser's EventSource reconnects with the last id it saw.
    stream.close();
  });
}

/** The EventSource's Last-Event-ID, checked like a cursor. */
function parseLastEventId(header: string | string[] | undefined): string | undefined {
  if (header === undefined || header === "") return undefined;
  const result = cursorSchema.safeParse(header);
  if (!result.success) {
    throw invalidArgument(
      `Last-Event-ID: ${result.error.issues[0]?.message ?? "is invalid"}`,
    );
  }
  return result.data;
}

/** About 60 buckets over the range, in whole seconds, within the logger's limits. */
function defaultBucketMs(rangeMs: number): number {
  const seconds = Math.ceil(rangeMs / targetBuckets / 1000);
  return Math.min(86_400_000, Math.max(1000, seconds * 1000));
}
