import { parseConfig } from "@microtodo/kit";
import { describe, expect, it } from "vitest";
import { registryConfigSchema } from "./config.js";

const base = { MICROTODO_REGISTRY_SECRET: "s3cret" };

function routesFrom(raw: string) {
  const result = parseConfig(registryConfigSchema, {
    ...base,
    MICROTODO_REGISTRY_HTTP_ROUTES: raw,
  });
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.value.registryHttpRoutes;
}

function problemsFor(raw: string): string[] {
  const result = parseConfig(registryConfigSchema, {
    ...base,
    MICROTODO_REGISTRY_HTTP_ROUTES: raw,
  });
  return result.ok ? [] : result.problems;
}

describe("MICROTODO_REGISTRY_HTTP_ROUTES", () => {
  it("groups route prefixes by service type", () => {
    const routes = routesFrom(
      "todo=/api/todos, auth=/.well-known/jwks.json,todo=/api/v2",
    );
    expect(Object.fromEntries(routes)).toEqual({
      todo: ["/api/todos", "/api/v2"],
      auth: ["/.well-known/jwks.json"],
    });
  });

  it("defaults to no routes", () => {
    const result = parseConfig(registryConfigSchema, base);
    expect(result.ok && result.value.registryHttpRoutes.size).toBe(0);
  });

  it("refuses a malformed entry, naming the variable and the entry", () => {
    expect(problemsFor("todo:/api/todos")).toEqual([
      expect.stringMatching(
        /^MICROTODO_REGISTRY_HTTP_ROUTES: .*malformed entry "todo:\/api\/todos"/,
      ),
    ]);
  });

  it("refuses a route that is not a path below /", () => {
    expect(problemsFor("todo=api")).toEqual([
      expect.stringMatching(/^MICROTODO_REGISTRY_HTTP_ROUTES: .*bad route for todo/),
    ]);
  });
});
