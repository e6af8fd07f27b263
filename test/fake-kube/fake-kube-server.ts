import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { type CrdSchema, loadCrdSchema } from "./crd-schema.js";
import {
  applyJsonPatch,
  applyMergePatch,
  type Json,
  type JsonPatchOperation,
} from "./json-patch.js";
import {
  apiVersionOf,
  KUBE_RESOURCES,
  type KubeResource,
  parseResourcePath,
  type ResourcePath,
} from "./kube-resources.js";
import { parseLabelSelector } from "./label-selector.js";
import {
  KubeApiError,
  type KubeObject,
  ObjectStore,
  type WriteScope,
} from "./object-store.js";
import { WatchStream } from "./watch-stream.js";

/** Options of FakeKubeServer. */
export interface FakeKubeServerOptions {
  /** Events kept for watches to resume from; older versions get 410. Default 1000. */
  readonly historySize?: number;
  /** Interval of BOOKMARK events on watches that allow them. Default 1000 ms. */
  readonly bookmarkIntervalMs?: number;
}

/** A request the fake answers with an error instead of serving it. */
export interface FailureRule {
  /** HTTP status to answer. Default 500. */
  readonly status?: number;
  /** Only requests whose path contains this. Default every request. */
  readonly pathIncludes?: string;
  /** Only this method. Default any. */
  readonly method?: string;
  /** Only watch requests (true) or only non-watch requests (false). */
  readonly watch?: boolean;
  /** How many matching requests fail. Default 1. */
  readonly times?: number;
}

/** Resources by the name tests use for them. */
export const RESOURCES = {
  pods: resourceNamed("pods"),
  endpointSlices: resourceNamed("endpointslices"),
  serviceInstances: resourceNamed("serviceinstances"),
  leases: resourceNamed("leases"),
} as const;

/** The schema of the repository's own ServiceInstance CRD. */
export function serviceInstanceSchema(): CrdSchema {
  return loadCrdSchema(
    new URL("../../crds/serviceinstance.yaml", import.meta.url),
    "v1alpha1",
  );
}

function resourceNamed(plural: string): KubeResource {
  const resource = KUBE_RESOURCES.find((r) => r.plural === plural);
  if (!resource) throw new Error(`unknown resource ${plural}`);
  return resource;
}

/**
 * A Kubernetes API server good enough for the real @kubernetes/client-node:
 * list, watch, get, create, replace, patch (merge and JSON), delete with
 * owner cascade, status subresources, and faults on demand. Plain HTTP, no
 * authentication.
 */
export class FakeKubeServer {
  readonly store: ObjectStore;
  readonly #server: Server;
  readonly #watches = new Set<WatchStream>();
  readonly #bookmarkIntervalMs: number;
  #failures: Array<FailureRule & { remaining: number }> = [];
  #stalled: Array<() => void> | undefined;
  /** Every request served, as "METHOD path?query", for assertions. */
  readonly requests: string[] = [];

  constructor(options: FakeKubeServerOptions = {}) {
    const schemas = new Map([[RESOURCES.serviceInstances, serviceInstanceSchema()]]);
    this.store = new ObjectStore(options.historySize ?? 1000, schemas);
    this.#bookmarkIntervalMs = options.bookmarkIntervalMs ?? 1000;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  /** Listens on 127.0.0.1 and a free port. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return this;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** A KubeConfig that points the real client at this server. */
  kubeConfig(namespace = "default"): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "fake", server: this.url, skipTLSVerify: true }],
      users: [{ name: "fake" }],
      contexts: [{ name: "fake", cluster: "fake", user: "fake", namespace }],
      currentContext: "fake",
    });
    return kc;
  }

  /** Watches open now. */
  get watchCount(): number {
    return this.#watches.size;
  }

  /** Fault: destroys the socket of every open watch. */
  dropWatches() {
    for (const watch of this.#watches) watch.drop();
  }

  /** Fault: the next matching requests get an error Status. */
  failRequests(rule: FailureRule = {}) {
    this.#failures.push({ ...rule, remaining: rule.times ?? 1 });
  }

  /** Fault: forgets the event history, sends every open watch a 410 ERROR
   * event and ends it, so clients must relist. */
  expireWatches() {
    this.store.compact();
    for (const watch of this.#watches) watch.expire(this.store.compactedVersion);
  }

  /** Fault: holds new requests and watch events until `resume`. */
  stall() {
    this.#stalled ??= [];
    for (const watch of this.#watches) watch.pause();
  }

  resume() {
    const held = this.#stalled ?? [];
    this.#stalled = undefined;
    for (const release of held) release();
    for (const watch of this.#watches) watch.resume();
  }

  /** Sends a BOOKMARK now on every watch that allows them. */
  sendBookmarks() {
    for (const watch of this.#watches) watch.bookmark(this.store.resourceVersion);
  }

  async close() {
    this.resume();
    for (const watch of this.#watches) watch.drop();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://fake");
    const watching = isWatch(url);
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    try {
      if (this.#stalled)
        await new Promise<void>((resolve) => this.#stalled?.push(resolve));
      this.#injectFailure(req.method ?? "GET", url.pathname, watching);
      const path = parseResourcePath(url.pathname);
      if (!path)
        throw new KubeApiError(
          404,
          "NotFound",
          `the server could not find ${url.pathname}`,
        );
      if (watching) return this.#watch(path, url, req, res);
      const body = await readBody(req);
      const result = this.#serve(req, path, url, body);
      const status = req.method === "POST" ? 201 : 200;
      sendJson(res, status, result);
    } catch (err) {
      sendError(res, err);
    }
  }

  #injectFailure(method: string, pathname: string, watching: boolean) {
    const rule = this.#failures.find(
      (r) =>
        (r.method === undefined || r.method === method) &&
        (r.pathIncludes === undefined || pathname.includes(r.pathIncludes)) &&
        (r.watch === undefined || r.watch === watching),
    );
    if (!rule) return;
    rule.remaining--;
    this.#failures = this.#failures.filter((r) => r.remaining > 0);
    const code = rule.status ?? 500;
    throw new KubeApiError(
      code,
      code === 410 ? "Expired" : "InternalError",
      "injected fault",
    );
  }

  #serve(req: IncomingMessage, path: ResourcePath, url: URL, body: unknown): unknown {
    const { resource, namespace, name, subresource } = path;
    const scope: WriteScope = subresource === "status" ? "status" : "main";
    if (
      subresource !== undefined &&
      (subresource !== "status" || !resource.statusSubresource)
    )
      throw new KubeApiError(404, "NotFound", `no subresource ${subresource}`);
    if (name === undefined || namespace === undefined) {
      if (req.method === "GET") return this.#list(resource, namespace, url);
      if (req.method === "POST" && namespace !== undefined)
        return this.store.create(resource, namespace, body as KubeObject);
      throw new KubeApiError(405, "MethodNotAllowed", `${req.method} not allowed here`);
    }
    switch (req.method) {
      case "GET":
        return this.store.get(resource, namespace, name);
      case "PUT":
        return this.store.update(
          resource,
          namespace,
          name,
          scope,
          () => body as KubeObject,
        );
      case "PATCH": {
        const type = req.headers["content-type"] ?? "";
        return this.store.update(resource, namespace, name, scope, (current) =>
          patchObject(current, body, type),
        );
      }
      case "DELETE":
        return this.store.delete(resource, namespace, name);
      default:
        throw new KubeApiError(405, "MethodNotAllowed", `${req.method} not allowed`);
    }
  }

  #list(resource: KubeResource, namespace: string | undefined, url: URL) {
    const matcher = parseLabelSelector(url.searchParams.get("labelSelector"));
    return {
      apiVersion: apiVersionOf(resource),
      kind: `${resource.kind}List`,
      metadata: { resourceVersion: String(this.store.resourceVersion) },
      items: this.store.list(resource, namespace, matcher),
    };
  }

  #watch(path: ResourcePath, url: URL, req: IncomingMessage, res: ServerResponse) {
    const params = url.searchParams;
    const watch = new WatchStream(res, {
      resource: path.resource,
      namespace: path.namespace,
      matcher: parseLabelSelector(params.get("labelSelector")),
      bookmarks: params.get("allowWatchBookmarks") === "true",
      bookmarkIntervalMs: this.#bookmarkIntervalMs,
      timeoutMs: Number(params.get("timeoutSeconds") ?? 0) * 1000,
    });
    this.#watches.add(watch);
    const unsubscribe = this.store.subscribe((event) => watch.send(event));
    const forget = () => {
      unsubscribe();
      watch.stop();
      this.#watches.delete(watch);
    };
    req.socket.once("close", forget);
    res.once("close", forget);
    watch.begin(this.store, params.get("resourceVersion") ?? "");
    if (this.#stalled) watch.pause();
  }
}

function isWatch(url: URL): boolean {
  const value = url.searchParams.get("watch");
  return value === "1" || value === "true";
}

function patchObject(
  current: KubeObject,
  body: unknown,
  contentType: string,
): KubeObject {
  if (contentType.startsWith("application/json-patch+json")) {
    return applyJsonPatch(
      current as unknown as Json,
      body as JsonPatchOperation[],
    ) as unknown as KubeObject;
  }
  // Strategic merge patch behaves like a merge patch for the fields used here.
  if (contentType.includes("merge-patch+json")) {
    return applyMergePatch(
      current as unknown as Json,
      body as Json,
    ) as unknown as KubeObject;
  }
  throw new KubeApiError(
    415,
    "UnsupportedMediaType",
    `unsupported patch type ${contentType}`,
  );
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new KubeApiError(400, "BadRequest", "request body is not JSON");
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** A Kubernetes `Status` object for an error. */
export function statusOf(code: number, reason: string, message: string) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  };
}

function sendError(res: ServerResponse, err: unknown) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const apiError =
    err instanceof KubeApiError
      ? err
      : new KubeApiError(
          400,
          "BadRequest",
          err instanceof Error ? err.message : String(err),
        );
  sendJson(
    res,
    apiError.code,
    statusOf(apiError.code, apiError.reason, apiError.message),
  );
}
