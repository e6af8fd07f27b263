// What one pick costs, per balancer and set size, against the cheapest
// possible "balancer" (arr[i % n]) measured in the same run. Informational:
// it always exits 0. Run: npx tsx bench/balancers/pick-cost.ts
import {
  BALANCER_NAMES,
  type Balancer,
  type BalancerName,
  createBalancer,
  type Endpoint,
} from "../../services/registry/src/balancers/index.js";
import { seededRandom } from "../../services/registry/src/balancers/test-fixtures.js";

const SIZES = [10, 1_000, 10_000];
const WARMUP_PICKS = 200_000;
const TIMED_PICKS = 1_000_000;
const ROUNDS = 3;
const TARGET_NS = 1_000;
const KEYS = Array.from({ length: 4_096 }, (_, i) => `user-${i * 7_919}`);
const NOW_MS = 1_000_000_000;

type Row = { balancer: string; endpoints: number; ns: number; baselineNs: number };

// Varied weights, loads and latencies, so weighted paths (not the O(1)
// equal-weight shortcuts) are what gets measured.
function makeSet(size: number, warmingShare = 0): Endpoint[] {
  const random = seededRandom(size);
  return Array.from({ length: size }, (_, i) => ({
    id: `instance-${i}`,
    weight: 50 + ((i * 37) % 151),
    activeRequests: Math.floor(random() * 10),
    latencyEwmaMs: 5 + random() * 45,
    addedAtMs: i < size * warmingShare ? NOW_MS - 1_000 : 0,
  }));
}

// The baseline: a plain array index, behind the same call as a balancer.
function baseline(): Balancer {
  let next = 0;
  return {
    name: "round-robin",
    pick: (endpoints) => endpoints[next++ % endpoints.length],
  };
}

// CPU nanoseconds per pick, best of ROUNDS. CPU time rather than wall time:
// on a shared machine the wall clock also counts time spent descheduled.
// `msPerPick` advances the pick clock.
function nsPerPick(balancer: Balancer, set: readonly Endpoint[], msPerPick = 0): number {
  let sink = 0;
  let now = NOW_MS;
  const run = (picks: number) => {
    for (let i = 0; i < picks; i++) {
      now += msPerPick;
      sink += balancer.pick(set, { key: KEYS[i & 4_095], nowMs: now })?.weight ?? 0;
    }
  };
  run(WARMUP_PICKS);
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.cpuUsage();
    run(TIMED_PICKS);
    const used = process.cpuUsage(start);
    best = Math.min(best, ((used.user + used.system) * 1_000) / TIMED_PICKS);
  }
  if (sink === -1) console.log("unreachable; keeps the picks from being optimised away");
  return best;
}

// CPU milliseconds the first pick after a new array takes (rebuilding what
// the balancer derives from the set), best of three.
function rebuildMs(name: BalancerName, size: number): number {
  const balancer = createBalancer(name);
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const set = makeSet(size);
    const start = process.cpuUsage();
    balancer.pick(set, { key: "user-1", nowMs: NOW_MS });
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1_000);
  }
  return best;
}

function printTable(title: string, rows: Row[]): void {
  console.log(`\n${title}\n`);
  console.log("| balancer | endpoints | CPU ns/pick | x baseline | target <1000 ns |");
  console.log("|---|---:|---:|---:|---|");
  for (const row of rows) {
    const verdict = row.ns < TARGET_NS ? "PASS" : "FAIL";
    const ratio = (row.ns / row.baselineNs).toFixed(1);
    console.log(
      `| ${row.balancer} | ${row.endpoints.toLocaleString("en")} | ${row.ns.toFixed(1)} | ${ratio} | ${verdict} |`,
    );
  }
}

function stableSetRows(): Row[] {
  const rows: Row[] = [];
  for (const size of SIZES) {
    const set = makeSet(size);
    const baselineNs = nsPerPick(baseline(), set);
    rows.push({
      balancer: "baseline arr[i % n]",
      endpoints: size,
      ns: baselineNs,
      baselineNs,
    });
    for (const name of BALANCER_NAMES) {
      rows.push({
        balancer: name,
        endpoints: size,
        ns: nsPerPick(createBalancer(name), set),
        baselineNs,
      });
    }
  }
  return rows;
}

// 1 % of the set inside its slow-start window while the clock runs at
// 1 ms per pick, so the warming endpoints are re-weighed every 300 picks.
function warmingRows(): Row[] {
  const size = 10_000;
  const set = makeSet(size, 0.01);
  const baselineNs = nsPerPick(baseline(), set);
  return BALANCER_NAMES.map((name) => ({
    balancer: name,
    endpoints: size,
    ns: nsPerPick(createBalancer(name), set, 1),
    baselineNs,
  }));
}

function main(): void {
  console.log(
    `node ${process.version}; ${TIMED_PICKS.toLocaleString("en")} timed picks, best of ${ROUNDS}`,
  );
  printTable("Stable set (same array every pick)", stableSetRows());
  printTable("Slow start under way: 1 % warming, clock +1 ms per pick", warmingRows());
  console.log("\nFirst pick after a new array of 10,000 endpoints (rebuild)\n");
  console.log("| balancer | ms |");
  console.log("|---|---:|");
  for (const name of BALANCER_NAMES)
    console.log(`| ${name} | ${rebuildMs(name, 10_000).toFixed(2)} |`);
}

try {
  main();
} catch (error) {
  console.error(error);
}
process.exitCode = 0;
