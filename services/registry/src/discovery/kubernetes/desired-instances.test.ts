import { describe, expect, it } from "vitest";
import { desiredInstances, parseAddress } from "./desired-instances.js";
import type { EndpointSliceLike, ServiceInstance } from "./kube-objects.js";

function slice(init: Partial<EndpointSliceLike> & { labels?: Record<string, string> }) {
  return {
    metadata: {
      name: "s",
      labels: init.labels ?? { "microtodo.dev/service-type": "todo" },
    },
    addressType: init.addressType ?? "IPv4",
    ports: init.ports ?? [{ name: "grpc", port: 9000 }],
    endpoints: init.endpoints ?? [],
  } satisfies EndpointSliceLike;
}

describe("desiredInstances", () => {
  it("reads an endpoint without a ready condition as ready", () => {
    const desired = desiredInstances(
      [slice({ endpoints: [{ addresses: ["10.0.0.1"] }] })],
      [],
      "ns",
    );
    expect([...desired.keys()]).toEqual(["todo@10.0.0.1:9000"]);
    expect(desired.get("todo@10.0.0.1:9000")?.spec).toMatchObject({
      visibility: "internal",
      weight: 100,
      source: "kubernetes",
    });
  });

  it("gives discovered instances the HTTP routes configured for their type", () => {
    const routes = new Map([["todo", ["/api/todos"]]]);
    const external: ServiceInstance = {
      metadata: { name: "todo-outside" },
      spec: { serviceType: "todo", address: "192.0.2.7:8083" },
    };
    const desired = desiredInstances(
      [
        slice({ endpoints: [{ addresses: ["10.0.0.1"] }] }),
        slice({
          labels: { "microtodo.dev/service-type": "auth" },
          endpoints: [{ addresses: ["10.0.0.2"] }],
        }),
      ],
      [external],
      "ns",
      routes,
    );
    expect(desired.get("todo@10.0.0.1:9000")?.spec.httpRoutes).toEqual(["/api/todos"]);
    expect(desired.get("todo@192.0.2.7:8083")?.spec.httpRoutes).toEqual(["/api/todos"]);
    expect(desired.get("auth@10.0.0.2:9000")?.spec.httpRoutes).toEqual([]);
  });

  it("prefers the port named grpc and ignores FQDN slices", () => {
    const ports = [
      { name: "metrics", port: 9100 },
      { name: "grpc", port: 9000 },
    ];
    const endpoints = [{ addresses: ["10.0.0.1"] }];
    const fqdn = slice({
      addressType: "FQDN",
      endpoints: [{ addresses: ["a.example"] }],
    });
    const desired = desiredInstances([slice({ ports, endpoints }), fqdn], [], "ns");
    expect([...desired.keys()]).toEqual(["todo@10.0.0.1:9000"]);
  });

  it("takes weight and drain from the pod's ServiceInstance", () => {
    const endpoints = [
      { addresses: ["10.0.0.1"], targetRef: { kind: "Pod", name: "todo-a", uid: "u1" } },
    ];
    const si: ServiceInstance = {
      metadata: { name: "todo-a" },
      spec: { serviceType: "todo", weight: 7, draining: true },
    };
    const item = desiredInstances([slice({ endpoints })], [si], "ns").get(
      "todo@10.0.0.1:9000",
    );
    expect(item?.spec.weight).toBe(7);
    expect(item?.draining).toBe(true);
    expect(item?.spec.metadata).toEqual({
      namespace: "ns",
      pod: "todo-a",
      serviceInstance: "todo-a",
    });
  });

  it("adds ServiceInstances with an address of their own, IPv6 included", () => {
    const sis: ServiceInstance[] = [
      {
        metadata: { name: "ext" },
        spec: { serviceType: "logger", address: "[fd00::1]:8084" },
      },
      { metadata: { name: "bad" }, spec: { serviceType: "logger", address: "nope" } },
    ];
    const desired = desiredInstances([], sis, "ns");
    expect([...desired.keys()]).toEqual(["logger@[fd00::1]:8084"]);
  });
});

describe("parseAddress", () => {
  it("splits host and port and refuses out-of-range ports", () => {
    expect(parseAddress("logs.example.internal:8084")).toEqual({
      host: "logs.example.internal",
      port: 8084,
    });
    expect(parseAddress("[::1]:80")).toEqual({ host: "::1", port: 80 });
    expect(parseAddress("host:70000")).toBeUndefined();
    expect(parseAddress("::1:80")).toBeUndefined();
  });
});
