import { z } from "zod";

/** The outcome of reading one raw variable: its value, or what is wrong with it. */
export type EnvParse<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Marks issues whose message already quotes the value, so parseConfig adds nothing. */
export const KIT_ISSUE = "microtodo-kit";

/** Options shared by every env variable helper. */
export interface EnvVarOptions<T> {
  /** Used when the variable is unset (or empty); without it the variable is required. */
  default?: T;
  /** Treat an empty string as a value instead of "unset". Default false. */
  allowEmpty?: boolean;
}

/**
 * Builds a zod schema for one environment variable: a raw string in, a typed
 * value out. `expected` finishes every problem line ("expected an integer").
 */
export function envVar<T>(
  expected: string,
  parse: (raw: string) => EnvParse<T>,
  options: EnvVarOptions<T> = {},
) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T => {
      const unset = raw === undefined || (raw === "" && options.allowEmpty !== true);
      if (unset && options.default !== undefined) return options.default;
      const parsed: EnvParse<T> = unset
        ? { ok: false, problem: "is not set" }
        : parse(raw ?? "");
      if (parsed.ok) return parsed.value;
      const shown = unset ? "" : `${JSON.stringify(raw)} `;
      ctx.addIssue({
        code: "custom",
        message: `${shown}${parsed.problem}; expected ${expected}`,
        params: { source: KIT_ISSUE },
      });
      return z.NEVER;
    });
}
