// Public surface of @microtodo/kit. Each part lives in its own folder
// (config, logging, metrics, health, server, lifecycle, auth, registry);
// testing/ holds helpers for the services' own tests.

export * from "./auth/index.js";
export { commonConfig, type LogLevel, logLevels } from "./config/common-config.js";
export { type EnvParse, type EnvVarOptions, envVar } from "./config/env-var.js";
export {
  type EnvUrlOptions,
  envBoolean,
  envBytes,
  envDurationMs,
  envEnum,
  envInt,
  envPort,
  envString,
  envUrl,
} from "./config/env-vars.js";
export {
  type ConfigOf,
  type ConfigResult,
  type Env,
  type EnvNameToKey,
  envNameToKey,
  loadConfig,
  parseConfig,
} from "./config/parse-config.js";
export { createHealthService } from "./health/health-service.js";
export {
  type HealthListener,
  HealthStatus,
  ServingStatus,
} from "./health/health-status.js";
export {
  forcedExitCode,
  type RunnableServer,
  type RunningService,
  type RunServiceOptions,
  runService,
} from "./lifecycle/run-service.js";
export { createLogger, type LoggerOptions } from "./logging/create-logger.js";
export {
  createLogShipper,
  type DropEpisode,
  type LogShipper,
  type LogShipperOptions,
} from "./logging/log-shipper.js";
export { redactPaths, secretKeys } from "./logging/redact-paths.js";
export {
  createServiceLogging,
  type ServiceLogging,
  type ServiceLoggingOptions,
} from "./logging/service-logging.js";
export {
  createMetrics,
  type HttpLabel,
  type Metrics,
  type MetricsOptions,
  type RpcLabel,
} from "./metrics/create-metrics.js";
export * from "./registry/index.js";
export { useBufferTextEncoding } from "./server/buffer-text-encoding.js";
export {
  type CloseOptions,
  createServiceServer,
  type ListenAddress,
  type ListenOptions,
  type ServiceServer,
  type ServiceServerOptions,
} from "./server/create-service-server.js";
export {
  createDualProtocolServer,
  DualProtocolServer,
  type DualProtocolServerOptions,
  type Http1RequestHandler,
  type Http2Handler,
  type Http2RequestHandler,
  type Http2StreamHandler,
} from "./server/dual-protocol-server.js";
export {
  drainSignalFromContext,
  loggerFromContext,
  peerAddressFromContext,
  type RequestInfo,
  type RpcOutcome,
  requestIdFromContext,
  requestInfoKey,
} from "./server/request-context.js";
export { requestIdFrom, requestIdHeader } from "./server/request-id.js";
export { rpcObserver } from "./server/rpc-observer.js";
export { freePort } from "./testing/free-port.js";
export { createMemoryLog, type MemoryLog } from "./testing/memory-log.js";
export { type RedisServer, startRedisServer } from "./testing/redis-server.js";
