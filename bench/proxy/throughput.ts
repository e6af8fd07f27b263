// Proxy throughput: the same small Connect unary call (TodoService.GetTask,
// JSON) made by wrk directly to one instance, through the real registry
// (its catalog, weighted-round-robin, health checks) over three instances,
// through the registry's proxy alone with a round-robin stand-in for the
// catalog, and through nginx over the same three. wrk, the
// proxies and the instances share this machine's cores, as they would on
// one host. Besides wall-clock numbers it reports the CPU time each process
// spent per request, which other load on the machine disturbs far less.
// Run: npx tsx --conditions source bench/proxy/throughput.ts
//   [--duration-s 8] [--warmup-s 2] [--connections 32] [--threads 1] [--rounds 1]
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type Child, startTsChild } from "./child-process.js";
import { startNginx } from "./nginx.js";
import { processCpuMs } from "./process-cpu.js";
import { type LoadResult, type LoadShape, runWrk } from "./wrk.js";

const path = "/microtodo.todo.v1.TodoService/GetTask";
const body = '{"taskId":"t-1"}';
const instanceCount = 3;

/** One wrk run plus the CPU time spent per request, in µs. */
interface Measurement extends LoadResult {
  /** In the proxy (nginx, ours); 0 for the direct target. */
  readonly frontCpuUs: number;
  /** In the instances, summed. */
  readonly instanceCpuUs: number;
}

interface Target {
  readonly name: string;
  readonly port: number;
  /** The proxy process, absent for the direct target. */
  readonly front: Child | undefined;
  readonly measurements: Measurement[];
}

const { values } = parseArgs({
  options: {
    "duration-s": { type: "string", default: "8" },
    "warmup-s": { type: "string", default: "2" },
    connections: { type: "string", default: "32" },
    threads: { type: "string", default: "1" },
    rounds: { type: "string", default: "1" },
  },
});
const shape: LoadShape = {
  threads: Number(values.threads),
  connections: Number(values.connections),
  durationS: Number(values["duration-s"]),
};
const warmup: LoadShape = { ...shape, durationS: Number(values["warmup-s"]) };
const rounds = Number(values.rounds);

const children: Child[] = [];
try {
  const instances = await Promise.all(
    Array.from({ length: instanceCount }, () =>
      startTsChild(script("upstream-instance.ts")),
    ),
  );
  children.push(...instances);
  const upstreamPorts = instances.map((i) => String(i.port));
  const registry = await startTsChild(script("registry-instance.ts"), upstreamPorts);
  children.push(registry);
  const proxy = await startTsChild(script("proxy-instance.ts"), upstreamPorts);
  children.push(proxy);
  const nginx = await startNginx(instances.map((i) => i.port));
  children.push(nginx);
  const targets: Target[] = [
    { name: "direct (1 instance)", port: (instances[0] as Child).port, front: undefined },
    { name: `registry (${instanceCount})`, port: registry.port, front: registry },
    { name: `proxy only (${instanceCount})`, port: proxy.port, front: proxy },
    { name: `nginx (${instanceCount})`, port: nginx.port, front: nginx },
  ].map((t) => ({ ...t, measurements: [] }));
  await measureRounds(targets, instances);
  printTable(targets);
} finally {
  await Promise.all(children.map((c) => c.stop()));
}

async function measureRounds(targets: readonly Target[], instances: readonly Child[]) {
  for (let round = 0; round < rounds; round++) {
    // Rotating the order keeps one target from always running on a warmer
    // or busier machine.
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(i + round) % targets.length] as Target;
      const url = `http://127.0.0.1:${target.port}${path}`;
      await runWrk(url, body, warmup);
      target.measurements.push(await measure(url, target.front, instances));
    }
  }
}

async function measure(
  url: string,
  front: Child | undefined,
  instances: readonly Child[],
): Promise<Measurement> {
  const frontBefore = front === undefined ? 0 : cpuMs(front);
  const instancesBefore = instances.reduce((sum, i) => sum + cpuMs(i), 0);
  const result = await runWrk(url, body, shape);
  const frontMs = front === undefined ? 0 : cpuMs(front) - frontBefore;
  const instancesMs = instances.reduce((sum, i) => sum + cpuMs(i), 0) - instancesBefore;
  const perRequestUs = (ms: number) => (ms * 1000) / Math.max(1, result.requests);
  return {
    ...result,
    frontCpuUs: perRequestUs(frontMs),
    instanceCpuUs: perRequestUs(instancesMs),
  };
}

function cpuMs(child: Child): number {
  return processCpuMs(child.process.pid as number);
}

function script(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function summarize(target: Target) {
  const of = (pick: (m: Measurement) => number) => median(target.measurements.map(pick));
  return {
    name: target.name,
    rps: of((m) => m.requestsPerS),
    p50: of((m) => m.p50Ms),
    p99: of((m) => m.p99Ms),
    frontCpuUs: of((m) => m.frontCpuUs),
    instanceCpuUs: of((m) => m.instanceCpuUs),
    errors: target.measurements.reduce((sum, m) => sum + m.errors, 0),
  };
}

function printTable(targets: readonly Target[]): void {
  const rows = targets.map(summarize);
  // Rows in the order targets are built: direct, registry, proxy only, nginx.
  const [direct, registry, , nginx] = rows as [
    (typeof rows)[0],
    (typeof rows)[0],
    (typeof rows)[0],
    (typeof rows)[0],
  ];
  console.log(
    `wrk -t${shape.threads} -c${shape.connections} -d${shape.durationS}s, ` +
      `median of ${rounds} round(s), POST ${path}\n`,
  );
  console.log(
    "| target | req/s | p50 ms | p99 ms | req/s vs direct | p99 vs nginx " +
      "| proxy CPU µs/req | instances CPU µs/req |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const row of rows) {
    const front = row.frontCpuUs > 0 ? row.frontCpuUs.toFixed(0) : "-";
    console.log(
      `| ${row.name} | ${row.rps.toFixed(0)} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} ` +
        `| ${(row.rps / direct.rps).toFixed(2)} | ${(row.p99 / nginx.p99).toFixed(2)} ` +
        `| ${front} | ${row.instanceCpuUs.toFixed(0)} |`,
    );
  }
  printVerdict(registry.rps / direct.rps, registry.p99 / nginx.p99);
  const errors = rows.reduce((sum, r) => sum + r.errors, 0);
  if (errors > 0) {
    console.log(
      `${errors} failed requests (non-2xx or socket errors): results are not valid`,
    );
    process.exitCode = 1;
  }
}

function printVerdict(throughputRatio: number, p99Ratio: number): void {
  const met = (ok: boolean) => (ok ? "met" : "MISSED");
  console.log(
    `\ntargets: registry req/s >= 0.5 x direct: ${met(throughputRatio >= 0.5)}; ` +
      `registry p99 <= 2 x nginx: ${met(p99Ratio <= 2)}`,
  );
}
