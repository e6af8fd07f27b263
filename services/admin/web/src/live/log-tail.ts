import { api, logQuery } from "../api/api-client";
import type { LogFilter, LogRecord, Session } from "../api/types";

/** Where a live follow stands. */
export type TailState = "connecting" | "following" | "reconnecting" | "paused";

/** Options of LogTail. */
export interface LogTailOptions {
  readonly filter: LogFilter;
  /** Follow from after this cursor (the newest record already shown). */
  readonly after: string | undefined;
  readonly onRecord: (record: LogRecord) => void;
  readonly onState: (state: TailState) => void;
  /** First wait before reopening a refused stream [1000]; doubles up to 15 s. */
  readonly initialBackoffMs?: number;
}

/**
 * Follows /api/logs/tail. A dropped connection is resumed by the browser
 * itself (it sends Last-Event-ID, the last record's cursor); a stream the
 * server refused is reopened here with `after=` the last cursor seen, so
 * nothing is lost or repeated either way. Pause closes the stream and
 * resume reopens it after the last cursor.
 */
export class LogTail {
  readonly #options: LogTailOptions;
  #cursor: string | undefined;
  #stream: EventSource | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #backoffMs: number;
  #state: TailState = "paused";

  constructor(options: LogTailOptions) {
    this.#options = options;
    this.#cursor = options.after;
    this.#backoffMs = options.initialBackoffMs ?? 1_000;
  }

  get state(): TailState {
    return this.#state;
  }

  /** The cursor of the last record received. */
  get cursor(): string | undefined {
    return this.#cursor;
  }

  resume(): void {
    if (this.#stream) return;
    this.#setState("connecting");
    this.#open();
  }

  pause(): void {
    this.#close();
    this.#setState("paused");
  }

  #open(): void {
    clearTimeout(this.#timer);
    const url = `/api/logs/tail${logQuery(this.#options.filter, { after: this.#cursor })}`;
    const stream = new EventSource(url);
    this.#stream = stream;
    stream.addEventListener("open", () => {
      this.#backoffMs = this.#options.initialBackoffMs ?? 1_000;
      this.#setState("following");
    });
    stream.addEventListener("record", (event) => {
      const message = event as MessageEvent<string>;
      const record = JSON.parse(message.data) as LogRecord;
      this.#cursor = message.lastEventId || record.cursor;
      this.#options.onRecord(record);
    });
    stream.addEventListener("failed", (event) => {
      this.#onFailed(stream, JSON.parse((event as MessageEvent<string>).data));
    });
    stream.addEventListener("error", () => this.#onError(stream));
  }

  /** The server lost the logger's stream and is about to close ours. */
  #onFailed(stream: EventSource, error: { code?: string }): void {
    if (stream !== this.#stream) return;
    this.#setState("reconnecting");
    if (error.code !== "failed_precondition") return;
    // The cursor belongs to a logger instance that is gone, so no logger
    // can resume after it: follow from now on instead of failing forever.
    this.#cursor = undefined;
    this.#close();
    this.#timer = setTimeout(() => this.#open(), this.#backoffMs);
  }

  #onError(stream: EventSource): void {
    if (stream !== this.#stream) return;
    this.#setState("reconnecting");
    if (stream.readyState !== EventSource.CLOSED) return;
    // Refused (not 200 or not an event stream): perhaps the session is
    // gone, which the session check turns into a trip to sign-in.
    this.#close();
    void api<Session>("/api/session").catch(() => {});
    this.#timer = setTimeout(() => this.#open(), this.#backoffMs);
    this.#backoffMs = Math.min(this.#backoffMs * 2, 15_000);
  }

  #close(): void {
    clearTimeout(this.#timer);
    this.#stream?.close();
    this.#stream = undefined;
  }

  #setState(state: TailState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#options.onState(state);
  }
}
