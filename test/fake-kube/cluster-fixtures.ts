import type { KubeObject } from "./object-store.js";

/** One endpoint of an EndpointSlice fixture. */
export interface EndpointFixture {
  readonly ip: string;
  /** Name of the backing pod; also the ServiceInstance name. */
  readonly pod?: string;
  readonly podUid?: string;
  readonly ready?: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
}

/** A pod as the kubelet reports it, with an optional weight annotation. */
export function podFixture(
  name: string,
  options: { ip: string; weight?: number },
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      labels: { "app.kubernetes.io/name": name.split("-")[0] ?? name },
      annotations:
        options.weight === undefined
          ? {}
          : { "microtodo.dev/weight": String(options.weight) },
    },
    spec: { containers: [{ name: "app", image: "microtodo/app:dev" }] },
    status: { phase: "Running", podIP: options.ip, podIPs: [{ ip: options.ip }] },
  };
}

/**
 * An EndpointSlice as the EndpointSlice controller writes it for a Service
 * labelled with its micro-todo service type.
 */
export function endpointSliceFixture(options: {
  name: string;
  serviceType: string;
  port: number;
  endpoints: readonly EndpointFixture[];
  visibility?: string;
  portName?: string;
  /** Namespace of the pods the endpoints point at. Default "microtodo". */
  namespace?: string;
}): KubeObject {
  const labels: Record<string, string> = {
    "kubernetes.io/service-name": options.serviceType,
    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    "microtodo.dev/service-type": options.serviceType,
  };
  if (options.visibility) labels["microtodo.dev/visibility"] = options.visibility;
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: options.name, labels },
    addressType: "IPv4",
    ports: [{ name: options.portName ?? "grpc", port: options.port, protocol: "TCP" }],
    endpoints: options.endpoints.map((endpoint) => ({
      addresses: [endpoint.ip],
      conditions: {
        ready: endpoint.ready ?? true,
        serving: endpoint.serving ?? endpoint.ready ?? true,
        terminating: endpoint.terminating ?? false,
      },
      nodeName: "kind-worker",
      ...(endpoint.pod && {
        targetRef: {
          kind: "Pod",
          name: endpoint.pod,
          namespace: options.namespace ?? "microtodo",
          uid: endpoint.podUid ?? "",
        },
      }),
    })),
  };
}
