import { describe, expect, it } from "vitest";
import { timeOrderedId } from "./time-ordered-id.js";

describe("timeOrderedId", () => {
  it("sorts ids made in the same millisecond in the order they were made", () => {
    const ids = Array.from({ length: 5_000 }, () => timeOrderedId(1_800_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("sorts ids of later milliseconds after earlier ones", () => {
    const early = timeOrderedId(1_900_000_000_000);
    const late = timeOrderedId(1_900_000_000_001);
    expect(early < late).toBe(true);
  });

  it("is a version 7 UUID with the RFC variant", () => {
    expect(timeOrderedId()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
