import { describe, expect, it } from "vitest";
import { applyJsonPatch, applyMergePatch } from "./json-patch.js";
import { parseLabelSelector } from "./label-selector.js";

describe("label selectors", () => {
  it("match equality, set and existence terms together", () => {
    const match = parseLabelSelector("app=todo,tier in (web, api),!canary,zone,env!=dev");
    expect(match({ app: "todo", tier: "api", zone: "a", env: "prod" })).toBe(true);
    expect(match({ app: "todo", tier: "db", zone: "a" })).toBe(false);
    expect(match({ app: "todo", tier: "web", zone: "a", canary: "1" })).toBe(false);
    expect(match({ app: "todo", tier: "web" })).toBe(false);
    expect(match({ app: "todo", tier: "web", zone: "a", env: "dev" })).toBe(false);
    expect(parseLabelSelector("")(undefined)).toBe(true);
    expect(() => parseLabelSelector("a in b")).toThrow(/unable to parse/);
  });
});

describe("patches", () => {
  it("merge patch merges objects, deletes on null and replaces arrays", () => {
    const merged = applyMergePatch(
      { spec: { weight: 1, draining: true }, list: [1, 2] },
      { spec: { weight: 5, draining: null }, list: [3] },
    );
    expect(merged).toEqual({ spec: { weight: 5 }, list: [3] });
  });

  it("JSON patch applies operations in order and stops on a failed test", () => {
    const doc = { a: { b: 1 }, list: [1, 3] };
    expect(
      applyJsonPatch(doc, [
        { op: "add", path: "/list/1", value: 2 },
        { op: "move", from: "/a/b", path: "/c" },
        { op: "copy", from: "/c", path: "/d" },
        { op: "remove", path: "/a" },
      ]),
    ).toEqual({ list: [1, 2, 3], c: 1, d: 1 });
    expect(() => applyJsonPatch(doc, [{ op: "test", path: "/a/b", value: 2 }])).toThrow(
      /test failed/,
    );
    expect(() => applyJsonPatch(doc, [{ op: "replace", path: "/x", value: 1 }])).toThrow(
      /does not exist/,
    );
  });
});
