import type { z } from "zod";
import { applyDerivedDefaults } from "./common-config.js";
import { KIT_ISSUE } from "./env-var.js";

type SnakeToCamel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Lowercase<Head>}${Capitalize<SnakeToCamel<Tail>>}`
  : Lowercase<S>;

/** `MICROTODO_SHUTDOWN_TIMEOUT_MS` → `shutdownTimeoutMs`. */
export type EnvNameToKey<K extends string> = K extends `MICROTODO_${infer Rest}`
  ? SnakeToCamel<Rest>
  : SnakeToCamel<K>;

/** The frozen, camelCase config object a schema of env variables produces. */
export type ConfigOf<S extends z.ZodType> = {
  readonly [K in keyof z.output<S> & string as EnvNameToKey<K>]: z.output<S>[K];
};

/** Outcome of parseConfig: the config, or one human-readable line per bad variable. */
export type ConfigResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Environment as Node gives it. */
export type Env = Record<string, string | undefined>;

/** Converts an env variable name to its config key. */
export function envNameToKey(name: string): string {
  const words = name
    .replace(/^MICROTODO_/, "")
    .toLowerCase()
    .split("_");
  return words
    .map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join("");
}

/**
 * Validates `env` against a zod object whose keys are variable names.
 * Never throws for bad input: every bad variable yields one problem line.
 */
export function parseConfig<S extends z.ZodType<Record<string, unknown>>>(
  schema: S,
  env: Env,
): ConfigResult<ConfigOf<S>> {
  const result = schema.safeParse(env);
  if (!result.success) return { ok: false, problems: describeIssues(result.error, env) };
  const config: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(result.data)) {
    config[envNameToKey(name)] = value;
  }
  applyDerivedDefaults(config);
  return { ok: true, value: Object.freeze(config) as ConfigOf<S> };
}

function describeIssues(error: z.ZodError, env: Env): string[] {
  const lines = new Map<string, string>();
  for (const issue of error.issues) {
    const name = issue.path.length > 0 ? issue.path.map(String).join(".") : "environment";
    if (lines.has(name)) continue;
    const params = "params" in issue ? issue.params : undefined;
    if (params?.source === KIT_ISSUE) {
      lines.set(name, `${name}: ${issue.message}`);
      continue;
    }
    const raw = env[name];
    const shown = raw === undefined ? "is not set" : `${JSON.stringify(raw)} is invalid`;
    lines.set(name, `${name}: ${shown}; ${issue.message}`);
  }
  return [...lines.values()];
}

/**
 * Reads the configuration once at startup. On problems it prints one line per
 * bad variable to stderr and exits with code 2, the conventional "usage" exit.
 */
export function loadConfig<S extends z.ZodType<Record<string, unknown>>>(
  schema: S,
  env: Env = process.env,
): ConfigOf<S> {
  const result = parseConfig(schema, env);
  if (result.ok) return result.value;
  const header = `invalid configuration (${result.problems.length} problem(s)):\n`;
  process.stderr.write(header + result.problems.map((p) => `  ${p}\n`).join(""));
  process.exit(2);
}
