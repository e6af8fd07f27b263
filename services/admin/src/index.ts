// Public surface of @microtodo/admin, for tests that build the server in-process.
export {
  type AdminApp,
  type AdminAppOptions,
  createAdminApp,
  maxBodyBytes,
} from "./admin-app.js";
export { type AdminConfig, adminConfigSchema } from "./admin-config.js";
export { contentSecurityPolicy } from "./http/security-headers.js";
export { sessionCookieName } from "./http/session-cookie.js";
