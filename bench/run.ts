// `make bench`: runs every benchmark one after another (they would skew
// each other side by side on a 2-core machine) and lets each print its
// own table, with its baseline measured in the same run.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

interface Bench {
  readonly title: string;
  readonly script: string;
  readonly args?: readonly string[];
}

const benches: readonly Bench[] = [
  { title: "Balancers: cost of one pick", script: "balancers/pick-cost.ts" },
  { title: "Registry: heap with 10,000 instances", script: "registry/heap.ts" },
  { title: "Proxy: direct vs registry vs nginx", script: "proxy/throughput.ts" },
  { title: "Auth: token verification and logins", script: "auth/verify.ts" },
  { title: "Todo: store throughput and list latency", script: "todo/store.ts" },
  { title: "Logger: ingest and newest-100 fetch", script: "logger/ingest.ts" },
];

const only = process.argv.slice(2);
let failed = 0;
for (const bench of benches) {
  if (only.length > 0 && !only.some((name) => bench.script.startsWith(name))) continue;
  const script = join(import.meta.dirname, bench.script);
  if (!existsSync(script)) continue;
  process.stdout.write(`\n## ${bench.title}\n\n`);
  const result = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--conditions",
      "source",
      "--expose-gc",
      script,
      ...(bench.args ?? []),
    ],
    { stdio: "inherit" },
  );
  if (result.status !== 0) {
    failed++;
    process.stdout.write(
      `(${bench.script} exited with ${result.status ?? result.signal})\n`,
    );
  }
}
process.exit(failed > 0 ? 1 : 0);
