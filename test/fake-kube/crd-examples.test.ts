import { readdirSync, readFileSync } from "node:fs";
import { loadYaml } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { validateSchema } from "./crd-schema.js";
import { serviceInstanceSchema } from "./fake-kube-server.js";

const examples = new URL("../../crds/examples/", import.meta.url);

describe("ServiceInstance CRD", () => {
  const schema = serviceInstanceSchema();

  it.each(readdirSync(examples))("accepts the example %s", (file) => {
    const example = loadYaml(readFileSync(new URL(file, examples), "utf8"));
    expect(validateSchema(schema, example)).toEqual([]);
  });

  it("rejects a status condition without a valid reason", () => {
    const problems = validateSchema(schema, {
      spec: { serviceType: "todo", weight: 1001, address: "no port" },
      status: {
        conditions: [{ type: "Ready", status: "True", reason: "not ok", message: "" }],
      },
    });
    expect(problems).toEqual([
      "spec.weight: should be less than or equal to 1000",
      expect.stringMatching(/^spec\.address: should match/),
      "status.conditions[0].lastTransitionTime: Required value",
      expect.stringMatching(/^status\.conditions\[0\]\.reason: should match/),
    ]);
  });
});
