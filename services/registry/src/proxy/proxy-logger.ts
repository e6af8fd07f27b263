/** The logging the proxy does: an object first, then a short fixed message.
 * A pino Logger fits as is. */
export interface ProxyLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
