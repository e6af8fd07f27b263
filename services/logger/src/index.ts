// Public surface of @microtodo/logger, for tests, benchmarks and whatever
// starts a whole stack in one process.

export { type ValidatedRecord, validateRecord } from "./ingest/validate-record.js";
export * from "./limits.js";
export { createLoggerApp, type LoggerApp, type LoggerAppOptions } from "./logger-app.js";
export { type LoggerConfig, loggerConfigSchema } from "./logger-config.js";
export { createLoggerService, type LoggerServiceDeps } from "./service/logger-service.js";
export { type Cursor, decodeCursor, encodeCursor } from "./store/cursor.js";
export type {
  NewLogRecord,
  RecordFilter,
  RecordPosition,
  SourceSummary,
  StatsBucket,
  StoredLogRecord,
} from "./store/log-record.js";
export {
  type ArrivalPage,
  LogStore,
  type LogStoreOptions,
  logStorePath,
  openLogStore,
  type RecordPage,
} from "./store/log-store.js";
export type { SyncMode } from "./store/open-database.js";
export {
  type Retention,
  type RetentionOptions,
  type RetentionPass,
  startRetention,
} from "./store/retention.js";
export { type ServedLogger, serveLogger } from "./testing/serve-logger.js";
