import { type DestinationStream, type Logger, pino, type StreamEntry } from "pino";
import pretty from "pino-pretty";
import { redactPaths, secretKeys } from "./redact-paths.js";

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Service name added to every record as `service`. */
  service: string;
  /** Instance name added to every record as `instance`. */
  instance: string;
  /** Minimum level. Default "info". */
  level?: string;
  /**
   * Extra destinations (such as the log shipper); each receives every record
   * the logger emits unless its entry sets a higher level.
   */
  destinations?: (DestinationStream | StreamEntry)[];
  /** Human-readable output instead of JSON lines. Default: stdout is a TTY. */
  pretty?: boolean;
  /** Where every record goes. Default process stdout (synchronous writes). */
  stdout?: DestinationStream;
  /** Keys to redact besides the built-in secret keys. Default none. */
  redactKeys?: string[];
}

/**
 * The one logger a service builds at startup: JSON lines with `service` and
 * `instance`, secrets redacted, stdout always fed.
 */
export function createLogger(options: LoggerOptions): Logger {
  const usePretty = options.pretty ?? process.stdout.isTTY === true;
  const primary = stdoutStream(usePretty, options.stdout);
  const extras = (options.destinations ?? []).map(toEntry);
  // Every stream entry takes the lowest level so the logger's own level is
  // the only filter; multistream would otherwise default entries to "info".
  const stream =
    extras.length === 0 ? primary : pino.multistream([toEntry(primary), ...extras]);
  return pino(
    {
      level: options.level ?? "info",
      base: { service: options.service, instance: options.instance },
      redact: {
        paths: redactPaths([...secretKeys, ...(options.redactKeys ?? [])]),
        censor: "[redacted]",
      },
    },
    stream,
  );
}

function stdoutStream(usePretty: boolean, stdout?: DestinationStream): DestinationStream {
  if (usePretty) {
    const colorize = stdout === undefined && process.stdout.isTTY === true;
    return pretty({ colorize, sync: true, destination: stdout ?? 1 });
  }
  // Synchronous so that records written just before process.exit are kept.
  return stdout ?? pino.destination({ dest: 1, sync: true });
}

function toEntry(destination: DestinationStream | StreamEntry): StreamEntry {
  return isStreamEntry(destination)
    ? { level: "trace", ...destination }
    : { level: "trace", stream: destination };
}

function isStreamEntry(value: DestinationStream | StreamEntry): value is StreamEntry {
  return !("write" in value) && "stream" in value;
}
