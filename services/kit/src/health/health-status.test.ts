import { describe, expect, it } from "vitest";
import { HealthStatus, ServingStatus } from "./health-status.js";

async function take<T>(iterator: AsyncIterator<T>): Promise<T | undefined> {
  const result = await iterator.next();
  return result.done ? undefined : result.value;
}

describe("HealthStatus", () => {
  it("starts NOT_SERVING for the whole instance and knows no other name", () => {
    const health = new HealthStatus();
    expect(health.get("")).toBe(ServingStatus.NOT_SERVING);
    expect(health.get("x")).toBeUndefined();
  });

  it("sets one name or every known name at once", () => {
    const health = new HealthStatus();
    health.set("a.A", ServingStatus.NOT_SERVING);
    health.setAll(ServingStatus.SERVING);
    expect(Object.fromEntries(health.list())).toEqual({
      "": ServingStatus.SERVING,
      "a.A": ServingStatus.SERVING,
    });
  });

  it("watch yields the current status, then each change", async () => {
    const health = new HealthStatus(ServingStatus.SERVING);
    const watch = health.watch("");
    expect(await take(watch)).toBe(ServingStatus.SERVING);
    const next = take(watch);
    health.set("", ServingStatus.NOT_SERVING);
    expect(await next).toBe(ServingStatus.NOT_SERVING);
    await watch.return(undefined);
  });

  it("watch reports SERVICE_UNKNOWN until the name is set", async () => {
    const health = new HealthStatus();
    const watch = health.watch("later.Service");
    expect(await take(watch)).toBe(ServingStatus.SERVICE_UNKNOWN);
    health.set("later.Service", ServingStatus.SERVING);
    expect(await take(watch)).toBe(ServingStatus.SERVING);
    await watch.return(undefined);
  });

  it("watch skips repeats and coalesces bursts to the latest status", async () => {
    const health = new HealthStatus(ServingStatus.SERVING);
    const watch = health.watch("");
    await take(watch);
    health.set("", ServingStatus.SERVING);
    health.set("", ServingStatus.NOT_SERVING);
    health.set("", ServingStatus.SERVING);
    health.set("", ServingStatus.NOT_SERVING);
    expect(await take(watch)).toBe(ServingStatus.NOT_SERVING);
    const abort = new AbortController();
    const stopped = health.watch("", abort.signal);
    await take(stopped);
    const end = take(stopped);
    abort.abort();
    expect(await end).toBeUndefined();
    await watch.return(undefined);
  });

  it("drain reports NOT_SERVING to watchers, ends them and ignores later sets", async () => {
    const health = new HealthStatus(ServingStatus.SERVING);
    const watch = health.watch("");
    await take(watch);
    health.drain();
    expect(await take(watch)).toBe(ServingStatus.NOT_SERVING);
    expect(await take(watch)).toBeUndefined();
    health.setAll(ServingStatus.SERVING);
    expect(health.get("")).toBe(ServingStatus.NOT_SERVING);
    expect(health.drained).toBe(true);
  });
});
