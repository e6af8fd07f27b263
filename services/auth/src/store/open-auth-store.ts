import { join } from "node:path";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { AuthStore } from "./auth-store.js";
import { createRedisAuthStore } from "./redis-auth-store.js";
import { createSqliteAuthStore } from "./sqlite-auth-store.js";

/** Where auth keeps its data. */
export interface OpenAuthStoreOptions {
  /** A redis:// URL selects Redis; "" selects SQLite. */
  readonly redisUrl: string;
  /** SQLite lives at `${dataDir}/auth.sqlite`. */
  readonly dataDir: string;
  readonly logger: Logger;
}

/** Opens the configured store: Redis when a URL is given, else SQLite. */
export function openAuthStore(options: OpenAuthStoreOptions): AuthStore {
  const { logger } = options;
  if (options.redisUrl === "") {
    const path = join(options.dataDir, "auth.sqlite");
    logger.info({ store: "sqlite", path }, "store opened");
    return createSqliteAuthStore({ path });
  }
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
  // ioredis reconnects by itself; without a listener it would print each
  // failure as an unhandled error event.
  redis.on("error", (err: Error) =>
    logger.warn({ err: { message: err.message } }, "redis error"),
  );
  // Host and port only: the URL may carry a password.
  const { hostname, port } = new URL(options.redisUrl);
  logger.info({ store: "redis", host: hostname, port }, "store opened");
  return createRedisAuthStore({ redis });
}
