/** Keys whose values never reach a log line, wherever we put them. */
export const secretKeys = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "password",
  "newPassword",
  "currentPassword",
  "passwordHash",
  "token",
  "accessToken",
  "refreshToken",
  "idToken",
  "secret",
  "clientSecret",
  "registrySecret",
  "apiKey",
  "x-api-key",
] as const;

function accessor(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`;
}

/**
 * pino redaction paths for `keys` at the depths our log calls use: the top
 * level (`{ password }`), one object down (`{ user: { token } }`) and request
 * or response headers (`{ req: { headers: { authorization } } }`). pino paths
 * are explicit, so deeper nesting is not covered: log such objects flat.
 */
export function redactPaths(keys: readonly string[]): string[] {
  return keys.flatMap((key) => {
    const tail = accessor(key);
    return [
      tail.startsWith(".") ? key : tail,
      `*${tail}`,
      `req.headers${tail}`,
      `res.headers${tail}`,
    ];
  });
}
