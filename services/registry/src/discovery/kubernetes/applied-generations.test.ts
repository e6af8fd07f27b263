import { describe, expect, it } from "vitest";
import { AppliedGenerations } from "./applied-generations.js";
import type { ServiceInstance } from "./kube-objects.js";

function si(name: string, uid: string, generation: number): ServiceInstance {
  return { metadata: { name, uid, generation }, spec: { serviceType: "todo" } };
}

describe("AppliedGenerations", () => {
  it("ends a wait when a reconcile applies a later generation than the one awaited", async () => {
    const applied = new AppliedGenerations();
    applied.record([si("todo-0", "u1", 1)]);
    const waiting = applied.waitFor("todo-0", "u1", 2, 5000);
    // Two writes coalesced into one reconcile: generation 2 is never seen.
    applied.record([si("todo-0", "u1", 3)]);
    expect(await waiting).toBe(true);
  });

  it("does not take a recreated object of the same name for the one awaited", async () => {
    const applied = new AppliedGenerations();
    applied.record([si("todo-0", "old", 5)]);
    expect(applied.reflects("todo-0", "new", 1)).toBe(false);
    expect(await applied.waitFor("todo-0", "new", 1, 20)).toBe(false);
  });

  it("ends every wait unfulfilled on close", async () => {
    const applied = new AppliedGenerations();
    const waiting = applied.waitFor("todo-0", "u1", 1, 60_000);
    applied.close();
    expect(await waiting).toBe(false);
  });
});
