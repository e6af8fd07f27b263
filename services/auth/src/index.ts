// Public surface of @microtodo/auth, for main.ts, benchmarks and e2e tests.

export type {
  AuthCore,
  AuthCoreDeps,
  AuthSettings,
  LoginInput,
  TokenPair,
} from "./accounts/auth-core.js";
export { createAuthCore, LOOKUP_MAX_USERNAMES } from "./accounts/auth-core.js";
export type { AuthErrorKind } from "./accounts/auth-error.js";
export { AuthError } from "./accounts/auth-error.js";
export type { BootstrapAdminOptions } from "./accounts/bootstrap-admin.js";
export { bootstrapAdmin } from "./accounts/bootstrap-admin.js";
export type { LoginThrottleSettings } from "./accounts/login-throttle.js";
export { ConfigProblem } from "./config/config-problem.js";
export { addJwksRoute } from "./http/jwks-route.js";
export { MIN_HASH_PARAMS } from "./passwords/password-hasher.js";
export type { AuthServiceDeps } from "./rpc/auth-service.js";
export { createAuthService } from "./rpc/auth-service.js";
export { clientAddress } from "./rpc/client-address.js";
export type { AuthStore, PasswordHashParams, UserRecord } from "./store/auth-store.js";
export { createRedisAuthStore } from "./store/redis-auth-store.js";
export { createSqliteAuthStore } from "./store/sqlite-auth-store.js";
