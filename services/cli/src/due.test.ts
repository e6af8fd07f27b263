import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Due } from "@microtodo/api/todo";
import { describe, expect, it } from "vitest";
import { UsageError } from "./cli-errors.js";
import { formatDue, parseDue } from "./due.js";

const instant = (due: Due) =>
  due.when.case === "time" ? timestampDate(due.when.value).toISOString() : undefined;

describe("parseDue", () => {
  it("keeps a calendar date as a date", () => {
    const due = parseDue("2026-12-24", undefined, "Europe/Paris");
    expect(due.when).toEqual({ case: "date", value: "2026-12-24" });
    expect(due.timeZone).toBe("");
  });

  it("reads a wall time in --tz, in winter and in summer", () => {
    expect(instant(parseDue("2026-12-24T10:00", "Europe/Paris", "UTC"))).toBe(
      "2026-12-24T09:00:00.000Z",
    );
    const summer = parseDue("2026-07-01 10:00", "Europe/Paris", "UTC");
    expect(instant(summer)).toBe("2026-07-01T08:00:00.000Z");
    expect(summer.timeZone).toBe("Europe/Paris");
  });

  it("uses the local zone without --tz", () => {
    const due = parseDue("2026-03-01T23:30", undefined, "America/New_York");
    expect(instant(due)).toBe("2026-03-02T04:30:00.000Z");
    expect(due.timeZone).toBe("America/New_York");
  });

  it("takes an instant with an offset as is", () => {
    expect(instant(parseDue("2026-12-24T10:00+02:00", "Asia/Tokyo", "UTC"))).toBe(
      "2026-12-24T08:00:00.000Z",
    );
  });

  it.each(["2026-02-29", "2026-13-01", "24/12/2026", "2026-12-24T25:00", "tomorrow"])(
    "refuses %s as a usage error",
    (text) => {
      expect(() => parseDue(text, undefined, "UTC")).toThrow(UsageError);
    },
  );
});

describe("formatDue", () => {
  it("shows a time in the zone it was set in", () => {
    const due = parseDue("2026-12-24T10:00", "Europe/Paris", "UTC");
    expect(formatDue(due)).toBe("2026-12-24 10:00 Europe/Paris");
    expect(formatDue(parseDue("2026-12-24", undefined, "UTC"))).toBe("2026-12-24");
    expect(formatDue(undefined)).toBe("");
  });
});
