import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const wrkBinary = "/usr/bin/wrk";

/** How wrk loads a target. */
export interface LoadShape {
  readonly threads: number;
  readonly connections: number;
  readonly durationS: number;
}

/** What one wrk run measured. */
export interface LoadResult {
  readonly requests: number;
  readonly requestsPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Non-2xx answers plus socket errors: any is a failed benchmark. */
  readonly errors: number;
}

/** Runs wrk against `url` with POSTs of `body` as Connect JSON. */
export async function runWrk(
  url: string,
  body: string,
  shape: LoadShape,
): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "bench-wrk-"));
  const script = join(dir, "post.lua");
  writeFileSync(
    script,
    [
      'wrk.method = "POST"',
      `wrk.body = ${JSON.stringify(body)}`,
      'wrk.headers["Content-Type"] = "application/json"',
      "",
    ].join("\n"),
  );
  try {
    const args = [
      `-t${shape.threads}`,
      `-c${shape.connections}`,
      `-d${shape.durationS}s`,
      "--latency",
      "-s",
      script,
      url,
    ];
    const { stdout } = await run(wrkBinary, args, { maxBuffer: 1 << 20 });
    return parseWrkOutput(stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads requests/s, the 50th and 99th latency percentiles and the error
 * counts from wrk's --latency report. */
export function parseWrkOutput(text: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const total = /(\d+) requests in /.exec(text);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s)\s*$/m.exec(text);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(text);
  if (rps === null || total === null || p50 === null || p99 === null) {
    throw new Error(`unexpected wrk output:\n${text}`);
  }
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const socketErrors =
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errorCount =
    Number(non2xx?.[1] ?? 0) +
    (socketErrors === null
      ? 0
      : socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0));
  return {
    requests: Number(total[1]),
    requestsPerS: Number(rps[1]),
    p50Ms: toMs(Number(p50[1]), p50[2] as string),
    p99Ms: toMs(Number(p99[1]), p99[2] as string),
    errors: errorCount,
  };
}

function toMs(value: number, unit: string): number {
  if (unit === "us") {
    return value / 1000;
  }
  return unit === "s" ? value * 1000 : value;
}
