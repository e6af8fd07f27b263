/** A resource the fake API server serves. */
export interface KubeResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  /** True when `status` is a subresource: the main endpoint ignores status
   * writes and /status ignores everything else. */
  readonly statusSubresource: boolean;
}

/** What the registry's Kubernetes discovery needs, and nothing else. */
export const KUBE_RESOURCES: readonly KubeResource[] = [
  { group: "", version: "v1", plural: "pods", kind: "Pod", statusSubresource: true },
  {
    group: "discovery.k8s.io",
    version: "v1",
    plural: "endpointslices",
    kind: "EndpointSlice",
    statusSubresource: false,
  },
  {
    group: "microtodo.dev",
    version: "v1alpha1",
    plural: "serviceinstances",
    kind: "ServiceInstance",
    statusSubresource: true,
  },
  {
    group: "coordination.k8s.io",
    version: "v1",
    plural: "leases",
    kind: "Lease",
    statusSubresource: false,
  },
];

/** "v1" for the core group, "group/version" otherwise. */
export function apiVersionOf(resource: KubeResource): string {
  return resource.group === ""
    ? resource.version
    : `${resource.group}/${resource.version}`;
}

/** The parts of an API path: /api/v1/namespaces/ns/pods/name/status. */
export interface ResourcePath {
  readonly resource: KubeResource;
  /** Undefined for a cluster-wide list or watch. */
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
}

/** Parses a request path into the resource it addresses, or undefined. */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  let group = "";
  let rest: string[];
  if (parts[0] === "api") rest = parts.slice(1);
  else if (parts[0] === "apis" && parts[1] !== undefined) {
    group = parts[1];
    rest = parts.slice(2);
  } else return undefined;
  const [version, ...tail] = rest;
  let namespace: string | undefined;
  if (tail[0] === "namespaces" && tail.length >= 3) {
    namespace = tail[1];
    tail.splice(0, 2);
  }
  const [plural, name, subresource, extra] = tail;
  const resource = KUBE_RESOURCES.find(
    (r) => r.group === group && r.version === version && r.plural === plural,
  );
  if (!resource || extra !== undefined) return undefined;
  if (name !== undefined && namespace === undefined) return undefined;
  return { resource, namespace, name, subresource };
}

/** A key naming one resource type, e.g. "discovery.k8s.io/endpointslices". */
export function resourceKey(resource: KubeResource): string {
  return `${resource.group}/${resource.plural}`;
}
