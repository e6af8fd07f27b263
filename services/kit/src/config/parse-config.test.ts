import { describe, expect, it } from "vitest";
import { z } from "zod";
import { commonConfig } from "./common-config.js";
import {
  envBoolean,
  envBytes,
  envDurationMs,
  envEnum,
  envPort,
  envString,
  envUrl,
} from "./env-vars.js";
import { envNameToKey, parseConfig } from "./parse-config.js";

const todoSchema = z.object({
  ...commonConfig,
  MICROTODO_PORT: envPort({ default: 8083 }),
  MICROTODO_TODO_STORE: envEnum(["sqlite", "redis"], { default: "sqlite" }),
  MICROTODO_MAX_BODY_BYTES: envBytes({ default: 1024 * 1024 }),
});

function problemsFor(env: Record<string, string>): string[] {
  const result = parseConfig(todoSchema, env);
  if (result.ok) throw new Error("expected problems");
  return result.problems;
}

describe("parseConfig", () => {
  it("fills every default and converts names to camelCase", () => {
    const result = parseConfig(todoSchema, {});
    if (!result.ok) throw new Error(result.problems.join("\n"));
    expect(result.value).toMatchObject({
      host: "127.0.0.1",
      port: 8083,
      logLevel: "info",
      registryUrl: "http://127.0.0.1:8081",
      registrySecret: "",
      advertiseHost: "127.0.0.1",
      dataDir: "./data",
      shutdownTimeoutMs: 10_000,
      todoStore: "sqlite",
      maxBodyBytes: 1_048_576,
    });
    expect(result.value.instance).toMatch(/-\d+$/);
  });

  it("returns a frozen object", () => {
    const result = parseConfig(todoSchema, {});
    expect(result.ok && Object.isFrozen(result.value)).toBe(true);
  });

  it("ignores variables the schema does not name", () => {
    const result = parseConfig(todoSchema, { PATH: "/bin", MICROTODO_OTHER: "x" });
    expect(result.ok && Object.keys(result.value)).not.toContain("other");
  });

  it("names the variable, the value and what is expected in each problem", () => {
    expect(problemsFor({ MICROTODO_PORT: "abc" })).toEqual([
      'MICROTODO_PORT: "abc" is not a number; expected an integer 0..65535',
    ]);
  });

  it("reports one line per bad variable", () => {
    const problems = problemsFor({
      MICROTODO_PORT: "70000",
      MICROTODO_LOG_LEVEL: "loud",
      MICROTODO_REGISTRY_URL: "ftp://x",
      MICROTODO_SHUTDOWN_TIMEOUT_MS: "soon",
    });
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe(
      'MICROTODO_PORT: "70000" is out of range; expected an integer 0..65535',
    );
    expect(problems[1]).toMatch(
      /^MICROTODO_LOG_LEVEL: "loud" is not allowed; expected one of fatal/,
    );
    expect(problems[2]).toMatch(
      /^MICROTODO_REGISTRY_URL: "ftp:\/\/x" has scheme ftp; expected/,
    );
    expect(problems[3]).toMatch(/^MICROTODO_SHUTDOWN_TIMEOUT_MS: "soon" is not a number/);
  });

  it("describes issues from plain zod schemas too", () => {
    const schema = z.object({ MICROTODO_RATIO: z.coerce.number().max(1) });
    const result = parseConfig(schema, { MICROTODO_RATIO: "2" });
    expect(result.ok ? [] : result.problems[0]).toMatch(
      /^MICROTODO_RATIO: "2" is invalid; /,
    );
  });

  it("reports a required variable that is missing", () => {
    const schema = z.object({ MICROTODO_SECRET: envString() });
    const result = parseConfig(schema, {});
    expect(result.ok ? [] : result.problems).toEqual([
      "MICROTODO_SECRET: is not set; expected a non-empty string",
    ]);
  });

  it("keeps an empty registry URL as 'registration disabled'", () => {
    const result = parseConfig(todoSchema, { MICROTODO_REGISTRY_URL: "" });
    expect(result.ok && result.value.registryUrl).toBe("");
  });

  it("self-registers unless MICROTODO_SELF_REGISTER turns it off", () => {
    const byDefault = parseConfig(todoSchema, {});
    expect(byDefault.ok && byDefault.value.selfRegister).toBe(true);
    const off = parseConfig(todoSchema, { MICROTODO_SELF_REGISTER: "false" });
    expect(off.ok && off.value.selfRegister).toBe(false);
    expect(problemsFor({ MICROTODO_SELF_REGISTER: "kubernetes" })).toEqual([
      expect.stringMatching(/^MICROTODO_SELF_REGISTER: .*true or false/),
    ]);
  });

  it("advertises the hostname instead of a wildcard bind address", () => {
    const result = parseConfig(todoSchema, { MICROTODO_HOST: "0.0.0.0" });
    expect(result.ok && result.value.advertiseHost).not.toBe("0.0.0.0");
    const explicit = parseConfig(todoSchema, {
      MICROTODO_HOST: "0.0.0.0",
      MICROTODO_ADVERTISE_HOST: "todo-1",
    });
    expect(explicit.ok && explicit.value.advertiseHost).toBe("todo-1");
  });
});

describe("env variable helpers", () => {
  const parseOne = <T>(schema: z.ZodType<T>, raw: string | undefined) => {
    const result = parseConfig(z.object({ MICROTODO_X: schema }), { MICROTODO_X: raw });
    return result.ok ? result.value.x : result.problems[0];
  };

  it("reads durations with or without a unit", () => {
    const duration = envDurationMs({ default: 5 });
    expect(parseOne(duration, "1500")).toBe(1500);
    expect(parseOne(duration, "1.5s")).toBe(1500);
    expect(parseOne(duration, "2m")).toBe(120_000);
    expect(parseOne(duration, undefined)).toBe(5);
    expect(parseOne(duration, "3 weeks")).toMatch(/unknown unit "weeks"/);
  });

  it("reads byte sizes in decimal and binary units", () => {
    const bytes = envBytes({ default: 1 });
    expect(parseOne(bytes, "1MiB")).toBe(1_048_576);
    expect(parseOne(bytes, "1mb")).toBe(1_000_000);
    expect(parseOne(bytes, "512")).toBe(512);
    expect(parseOne(bytes, "-1")).toMatch(/is not a number/);
  });

  it("reads booleans and trims trailing slashes off URLs", () => {
    expect(parseOne(envBoolean({ default: false }), "YES")).toBe(true);
    expect(parseOne(envBoolean({ default: true }), "maybe")).toMatch(/true or false/);
    expect(parseOne(envUrl(), "http://a:1/")).toBe("http://a:1");
    expect(parseOne(envUrl(), "not a url")).toMatch(/"not a url" is not a URL/);
  });

  it("maps variable names to camelCase keys", () => {
    expect(envNameToKey("MICROTODO_SHUTDOWN_TIMEOUT_MS")).toBe("shutdownTimeoutMs");
    expect(envNameToKey("NODE_ENV")).toBe("nodeEnv");
  });
});
