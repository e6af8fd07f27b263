/** One Server-Sent Event as a test sees it. */
export interface SseEvent {
  readonly event: string;
  readonly id: string | undefined;
  readonly data: string;
}

/** An open event stream; events arrive in `events`, in order. */
export interface SseReader {
  readonly status: number;
  readonly headers: Headers;
  readonly events: SseEvent[];
  /** Settles when the stream ends, whoever ended it; never rejects. */
  readonly ended: Promise<void>;
  /** Resolves with the first event (from `from` on) that `match` accepts. */
  waitFor(
    match: (event: SseEvent) => boolean,
    timeoutMs?: number,
    from?: number,
  ): Promise<SseEvent>;
  close(): void;
}

/**
 * Opens `url` with fetch and parses the text/event-stream as it arrives,
 * the way a browser's EventSource does (comments skipped, one event per
 * blank line). Non-200 answers are returned with no events.
 */
export async function openSse(
  url: string,
  headers: Record<string, string>,
): Promise<SseReader> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: "text/event-stream", ...headers },
    signal: abort.signal,
  });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const ended =
    response.ok && response.body
      ? pump(response.body, events, () => {
          for (const wake of waiters) wake();
        }).catch(() => undefined)
      : Promise.resolve();
  return {
    status: response.status,
    headers: response.headers,
    events,
    ended,
    async waitFor(match, timeoutMs = 15_000, from = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.slice(from).find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(
            `no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`,
          );
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, Math.min(left, 500));
          waiters.add(wake);
        });
      }
    },
    close: () => abort.abort(),
  };
}

async function pump(
  body: ReadableStream<Uint8Array>,
  events: SseEvent[],
  onEvent: () => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = "";
  let current: { event: string; id: string | undefined; data: string[] } = fresh();
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line === "") {
        if (current.data.length > 0) {
          events.push({
            event: current.event,
            id: current.id,
            data: current.data.join("\n"),
          });
          onEvent();
        }
        current = fresh();
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") current.event = value;
        else if (field === "data") current.data.push(value);
        else if (field === "id") current.id = value;
      }
      newline = buffer.indexOf("\n");
    }
  }
}

function fresh() {
  return { event: "message", id: undefined as string | undefined, data: [] as string[] };
}
