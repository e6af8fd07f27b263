// The load of through-registry.ts's `--client wrk`: wrk sends the same
// Connect unary calls (binary protobuf over HTTP/1.1, kept-alive
// connections) for a few µs of CPU each, so almost all of the machine's
// two cores go to the stack under test. The calls rotate over prebuilt
// requests, one per caller's list. wrk checks only the status, so the
// caller checks the effect (for creates: the lists' task counts).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseWrkOutput } from "../proxy/wrk.js";
import type { LoadResult } from "./call-load.js";

const run = promisify(execFile);
const wrkBinary = "/usr/bin/wrk";

/** One wrk run: where, which method, with which request bodies. */
export interface WrkCallLoad {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  readonly baseUrl: string;
  /** Full RPC path, e.g. /microtodo.todo.v1.TodoService/CreateTask. */
  readonly path: string;
  readonly token: string;
  /** Binary request messages, sent in turn. */
  readonly bodies: readonly Uint8Array[];
  readonly connections: number;
  readonly durationMs: number;
}

/** What a wrk run measured, with the CPU wrk itself used. */
export interface WrkLoadResult extends LoadResult {
  readonly clientCpuMs: number;
}

/** Runs wrk with one thread and `connections` connections. */
export async function runWrkLoad(load: WrkCallLoad): Promise<WrkLoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "bench-todo-wrk-"));
  const script = join(dir, "calls.lua");
  writeFileSync(script, luaScript(load));
  try {
    const args = [
      "-t1",
      `-c${load.connections}`,
      `-d${Math.max(1, Math.round(load.durationMs / 1000))}s`,
      "--latency",
      "-s",
      script,
      load.baseUrl,
    ];
    const { stdout } = await run(wrkBinary, args, { maxBuffer: 1 << 20 });
    const parsed = parseWrkOutput(stdout);
    const cpu = /^client-cpu-s: ([\d.]+)$/m.exec(stdout);
    const calls = parsed.requests - parsed.errors;
    return {
      calls,
      errors: parsed.errors,
      perSecond:
        parsed.requests > 0 ? (parsed.requestsPerS * calls) / parsed.requests : 0,
      p50Ms: parsed.p50Ms,
      p99Ms: parsed.p99Ms,
      ...(parsed.errors > 0
        ? { firstError: "wrk: non-2xx answers or socket errors" }
        : {}),
      clientCpuMs: Number(cpu?.[1] ?? Number.NaN) * 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Requests are formatted once in init(); request() only hands them out.
// os.clock() in done() is the CPU time of the whole wrk process.
function luaScript(load: WrkCallLoad): string {
  const bodies = load.bodies.map(luaBytes).join(",\n  ");
  return `local bodies = {
  ${bodies}
}
local requests = {}
local turn = 0
function init(args)
  local headers = {
    ["Content-Type"] = "application/proto",
    ["Connect-Protocol-Version"] = "1",
    ["Authorization"] = ${JSON.stringify(`Bearer ${load.token}`)},
  }
  for i, body in ipairs(bodies) do
    requests[i] = wrk.format("POST", ${JSON.stringify(load.path)}, headers, body)
  end
end
function request()
  turn = turn % #requests + 1
  return requests[turn]
end
function done(summary, latency, requests)
  io.write(string.format("client-cpu-s: %.6f\\n", os.clock()))
end
`;
}

/** A Lua string literal of arbitrary bytes. */
function luaBytes(bytes: Uint8Array): string {
  let out = '"';
  for (const byte of bytes) out += `\\${byte.toString().padStart(3, "0")}`;
  return `${out}"`;
}
