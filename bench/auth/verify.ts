// Token verification rate of the kit verifier against raw Ed25519 in the
// same run, and the login rate at the configured argon2 cost.
//   npx tsx --conditions source bench/auth/verify.ts
// Everything runs on the main thread (one core) except argon2, which runs
// on libuv's thread pool (UV_THREADPOOL_SIZE, default 4).
import { verify as cryptoVerify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { AuthSettings } from "@microtodo/auth";
import { createAuthCore, createSqliteAuthStore, MIN_HASH_PARAMS } from "@microtodo/auth";
import {
  createTokenVerifier,
  generateSigningKey,
  importPrivateSigningKey,
  importPublicVerificationKey,
  signAccessToken,
} from "@microtodo/kit";
import { jwtVerify } from "jose";
import { pino } from "pino";

const SECONDS_PER_CASE = Number(process.env.BENCH_SECONDS ?? 2);
const DISTINCT_TOKENS = 1_000;
const VERIFY_TARGET_PER_SECOND = 20_000;

interface Row {
  readonly name: string;
  readonly perSecond: number;
  readonly note?: string;
}

interface Case {
  readonly name: string;
  readonly op: (i: number) => unknown;
}

/**
 * Runs the cases in interleaved slices (the machine is shared, and load
 * drifts) and returns each one's operations per second.
 */
async function interleaved(cases: readonly Case[]): Promise<Row[]> {
  const slices = 10;
  const sliceMs = (SECONDS_PER_CASE * 1000) / slices;
  const totals = cases.map(() => ({ ops: 0, ms: 0 }));
  for (const c of cases) for (let i = 0; i < 200; i++) await c.op(i);
  for (let slice = 0; slice < slices; slice++) {
    for (const [index, c] of cases.entries()) {
      const total = totals[index] as { ops: number; ms: number };
      const start = performance.now();
      let n = 0;
      while (performance.now() - start < sliceMs) {
        for (let k = 0; k < 50; k++) await c.op(total.ops + n++);
      }
      total.ops += n;
      total.ms += performance.now() - start;
    }
  }
  return cases.map((c, i) => ({
    name: c.name,
    perSecond: (totals[i]?.ops ?? 0) / ((totals[i]?.ms ?? 1) / 1000),
  }));
}

async function verificationRows(): Promise<Row[]> {
  const key = await generateSigningKey();
  const signer = { kid: key.kid, privateKey: importPrivateSigningKey(key.privateJwk) };
  const publicKey = importPublicVerificationKey(key.publicJwk);
  if (!publicKey) throw new Error("cannot import the generated public key");
  const tokens = await Promise.all(
    Array.from({ length: DISTINCT_TOKENS }, (_, i) =>
      signAccessToken(signer, {
        userId: `u-${i}`,
        username: `user${i}`,
        roles: ["user"],
      }),
    ).map((p) => p.then((t) => t.token)),
  );
  const parts = tokens.map((t) => {
    const [h, p, s] = t.split(".");
    return {
      input: Buffer.from(`${h}.${p}`),
      signature: Buffer.from(s ?? "", "base64url"),
    };
  });
  const keySource = async () => ({ keys: [key.publicJwk] });
  const cold = createTokenVerifier({ keySource, cacheMaxEntries: 0 });
  const warm = createTokenVerifier({ keySource, cacheMaxEntries: DISTINCT_TOKENS * 2 });
  const pick = <T>(list: readonly T[], i: number) => list[i % list.length] as T;

  return interleaved([
    {
      name: "baseline: crypto.verify Ed25519 (same bytes)",
      op: (i) => {
        const { input, signature } = pick(parts, i);
        return cryptoVerify(null, input, publicKey, signature);
      },
    },
    {
      name: "kit verifier, no cache (full check)",
      op: (i) => cold.verify(pick(tokens, i)),
    },
    {
      name: `kit verifier, ${DISTINCT_TOKENS} tokens reused (cache)`,
      op: (i) => warm.verify(pick(tokens, i)),
    },
    {
      name: "for reference: jose.jwtVerify",
      op: (i) =>
        jwtVerify(pick(tokens, i), publicKey, {
          algorithms: ["EdDSA"],
          audience: "microtodo",
        }),
    },
  ]);
}

function hashParamsFromEnv() {
  const read = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  return {
    memoryKiB: read("MICROTODO_ARGON2_MEMORY_KIB", MIN_HASH_PARAMS.memoryKiB),
    timeCost: read("MICROTODO_ARGON2_TIME_COST", MIN_HASH_PARAMS.timeCost),
    parallelism: read("MICROTODO_ARGON2_PARALLELISM", MIN_HASH_PARAMS.parallelism),
  };
}

async function loginRows(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-auth-"));
  const store = createSqliteAuthStore({ path: join(dir, "auth.sqlite") });
  const hashParams = hashParamsFromEnv();
  const settings: AuthSettings = {
    issuer: "microtodo-auth",
    audience: "microtodo",
    accessTokenTtlMs: 900_000,
    refreshTokenTtlMs: 2_592_000_000,
    hashParams,
    keyReloadIntervalMs: 30_000,
    clockToleranceMs: 5_000,
    throttle: {
      accountThreshold: 1e9,
      addressThreshold: 1e9,
      baseDelayMs: 1,
      maxDelayMs: 1,
      failureWindowMs: 1,
    },
  };
  try {
    const core = await createAuthCore({
      store,
      settings,
      logger: pino({ level: "silent" }),
    });
    const password = "correct horse battery staple";
    await core.register({ username: "bench", password });
    const concurrency = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const idleP99 = await idleLoopDelayP99Ms(SECONDS_PER_CASE * 500);
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    let logins = 0;
    const endAt = performance.now() + SECONDS_PER_CASE * 2000;
    const started = performance.now();
    loopDelay.enable();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < endAt) {
          await core.login({ username: "bench", password });
          logins++;
        }
      }),
    );
    loopDelay.disable();
    const perSecond = logins / ((performance.now() - started) / 1000);
    const p99 = loopDelay.percentile(99) / 1e6;
    const cost = `m=${hashParams.memoryKiB} KiB t=${hashParams.timeCost} p=${hashParams.parallelism}`;
    return [
      {
        name: `logins, ${concurrency} concurrent (${cost})`,
        perSecond,
        note: `event-loop delay p99: ${p99.toFixed(1)} ms while hashing, ${idleP99.toFixed(1)} ms idle`,
      },
    ];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Event-loop delay p99 with nothing running, as the reference for the hashing one. */
async function idleLoopDelayP99Ms(durationMs: number): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  histogram.disable();
  return histogram.percentile(99) / 1e6;
}

function printTable(rows: readonly Row[], baseline: number): void {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  console.log(line(["case", "per second", "x baseline", "note"]));
  console.log(line(["---", "---:", "---:", "---"]));
  for (const row of rows) {
    const ratio = row.note === undefined ? (row.perSecond / baseline).toFixed(2) : "";
    const perSecond = Math.round(row.perSecond).toLocaleString("en-US");
    console.log(line([row.name, perSecond, ratio, row.note ?? ""]));
  }
}

const verifyRows = await verificationRows();
const rows = [...verifyRows, ...(await loginRows())];
printTable(rows, verifyRows[0]?.perSecond ?? 1);
const cachedRate = verifyRows[2]?.perSecond ?? 0;
const verdict = cachedRate >= VERIFY_TARGET_PER_SECOND ? "met" : "NOT met";
console.log(
  `\ntarget ${VERIFY_TARGET_PER_SECOND.toLocaleString("en-US")} verifications/s on one core: ${verdict}` +
    " (tokens reused, as clients reuse theirs for 15 min; a first sight of a token" +
    " costs one Ed25519 verification, see the no-cache row)",
);
