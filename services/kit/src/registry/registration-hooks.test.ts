import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { registrationHooks } from "./registration-hooks.js";
import type { RegistrationSpec, RegistryClient } from "./registry-client.js";

const logger = pino({ level: "silent" });
const address = { host: "0.0.0.0", port: 8083, url: "http://0.0.0.0:8083" };

/** A registry client that grants every lease and remembers the calls. */
function recordingClient() {
  const calls: Array<["register", RegistrationSpec] | ["deregister", string]> = [];
  const client: RegistryClient = {
    enabled: true,
    register: async (spec) => {
      calls.push(["register", spec]);
      return {
        leaseId: "lease-1",
        instanceId: `${spec.serviceType}@${spec.address}`,
        ttlMs: 60_000,
        heartbeatIntervalMs: 60_000,
      };
    },
    heartbeat: async () => {},
    deregister: async (leaseId) => {
      calls.push(["deregister", leaseId]);
    },
    resolve: () => Promise.reject(new Error("not used")),
    resolveUrl: () => Promise.reject(new Error("not used")),
    forget: () => {},
    listInstances: async () => [],
  };
  return { client, calls };
}

describe("registrationHooks", () => {
  it("registers at the advertised host and listening port with the instance label, and deregisters on drain", async () => {
    const { client, calls } = recordingClient();
    const hooks = registrationHooks({
      client,
      logger,
      config: { advertiseHost: "todo-1.local", instance: "todo-1", selfRegister: true },
      spec: { serviceType: "todo", visibility: "public", metadata: { store: "sqlite" } },
    });
    hooks.onListening(address);
    await expect.poll(() => calls.length).toBe(1);
    expect(calls[0]).toEqual([
      "register",
      {
        serviceType: "todo",
        visibility: "public",
        address: "todo-1.local:8083",
        metadata: { store: "sqlite", instance: "todo-1" },
      },
    ]);
    await hooks.onDrainStart();
    expect(calls[1]).toEqual(["deregister", "lease-1"]);
  });

  it("registers nothing when selfRegister is false", async () => {
    const { client, calls } = recordingClient();
    const hooks = registrationHooks({
      client,
      logger,
      config: { advertiseHost: "h", instance: "todo-1", selfRegister: false },
      spec: { serviceType: "todo", visibility: "public" },
    });
    hooks.onListening(address);
    await hooks.onDrainStart();
    expect(calls).toEqual([]);
  });

  it("drains quietly when shutdown comes before the server ever listened", async () => {
    const { client, calls } = recordingClient();
    const hooks = registrationHooks({
      client,
      logger,
      config: { advertiseHost: "h", instance: "todo-1", selfRegister: true },
      spec: { serviceType: "todo", visibility: "public" },
    });
    await hooks.onDrainStart();
    expect(calls).toEqual([]);
  });
});
