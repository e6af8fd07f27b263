/** One call made by runLoad. */
export interface CallRecord {
  readonly startedAtMs: number;
  readonly status: number;
  /** The answering instance (x-fixture-name), "" when none answered. */
  readonly name: string;
}

/** Options of runLoad. */
export interface LoadOptions {
  readonly url: string;
  /** Calls in flight at once. */
  readonly concurrency: number;
  /** Stops after this many calls, or when `signal` aborts. */
  readonly calls?: number;
  readonly signal?: AbortSignal;
}

/** Makes Connect-JSON unary calls to `url` and records each one. */
export async function runLoad(options: LoadOptions): Promise<CallRecord[]> {
  const records: CallRecord[] = [];
  let issued = 0;
  const more = () =>
    !options.signal?.aborted && (options.calls === undefined || issued < options.calls);
  const worker = async () => {
    while (more()) {
      issued++;
      records.push(await call(options.url));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return records;
}

async function call(url: string): Promise<CallRecord> {
  const startedAtMs = Date.now();
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    await response.arrayBuffer();
    return {
      startedAtMs,
      status: response.status,
      name: response.headers.get("x-fixture-name") ?? "",
    };
  } catch {
    return { startedAtMs, status: 0, name: "" };
  }
}

/** How many records each answering instance served. */
export function countByName(records: readonly CallRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { name } of records) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}
