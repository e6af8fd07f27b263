import type { z } from "zod";
import { invalidArgument } from "./api-error.js";

/**
 * Validates a query string or a body against `schema`; a failure is a 400
 * whose message names the first bad field ("weight: ...") so the person
 * at the form knows what to fix.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: "query" | "body" | "path",
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  if (issue === undefined) throw invalidArgument(`${where} is invalid`);
  if (issue.code === "unrecognized_keys") {
    throw invalidArgument(`${issue.keys.join(", ")}: unknown ${where} field`);
  }
  const field = issue.path.length > 0 ? issue.path.map(String).join(".") : where;
  throw invalidArgument(`${field}: ${issue.message}`);
}
