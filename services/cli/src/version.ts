import { readFileSync } from "node:fs";

/**
 * The package version. package.json sits one level above both src/ and
 * dist/, so the same relative URL works from the sources and the build.
 */
export function cliVersion(): string {
  const text = readFileSync(new URL("../package.json", import.meta.url), "utf8");
  const { version } = JSON.parse(text) as { version?: unknown };
  return typeof version === "string" ? version : "unknown";
}
