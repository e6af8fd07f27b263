import { randomUUID } from "node:crypto";
import { applyDefaults, type CrdSchema, validateSchema } from "./crd-schema.js";
import {
  apiVersionOf,
  KUBE_RESOURCES,
  type KubeResource,
  resourceKey,
} from "./kube-resources.js";
import type { LabelMatcher } from "./label-selector.js";

/** An owner reference as the API stores it. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Object metadata: the fields the fake server maintains or reads. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [field: string]: unknown;
}

/** Any stored object. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** A watch event type the API server sends. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

/** One change, kept in the bounded history watches replay from. */
export interface StoreEvent {
  readonly resourceVersion: number;
  readonly resource: KubeResource;
  readonly namespace: string;
  readonly type: WatchEventType;
  readonly object: KubeObject;
  /** The object before a MODIFIED, so selector watches see labels change. */
  readonly previous: KubeObject | undefined;
}

/** An API failure, answered as a `Status` object. */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Which part of an object a write may change. */
export type WriteScope = "main" | "status";

/**
 * The in-memory object store: objects per resource and namespace, one
 * cluster-wide resourceVersion counter, and a bounded event history so a
 * watch can resume from a recent version and gets 410 Gone for an older one.
 */
export class ObjectStore {
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #history: StoreEvent[] = [];
  readonly #listeners = new Set<(event: StoreEvent) => void>();
  readonly #historySize: number;
  readonly #schemas: ReadonlyMap<KubeResource, CrdSchema>;
  #resourceVersion = 1000;
  /** Versions at or below this were dropped from the history. */
  compactedVersion = 1000;

  /** `schemas` validate and default writes, as a CRD's schema does. */
  constructor(
    historySize: number,
    schemas: ReadonlyMap<KubeResource, CrdSchema> = new Map(),
  ) {
    this.#historySize = historySize;
    this.#schemas = schemas;
  }

  get resourceVersion(): number {
    return this.#resourceVersion;
  }

  /** Forgets the history, so every resume from an older version gets 410. */
  compact() {
    this.#history.length = 0;
    this.compactedVersion = this.#resourceVersion;
  }

  /** Calls `listener` for every change until the returned function runs. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Events after `version`; throws 410 when the history no longer has them. */
  eventsSince(version: number): StoreEvent[] {
    if (version < this.compactedVersion) {
      throw new KubeApiError(
        410,
        "Expired",
        `too old resource version: ${version} (${this.compactedVersion})`,
      );
    }
    return this.#history.filter((event) => event.resourceVersion > version);
  }

  list(resource: KubeResource, namespace: string | undefined, matcher: LabelMatcher) {
    const items = [...this.#bucket(resource).values()].filter(
      (obj) =>
        (namespace === undefined || obj.metadata.namespace === namespace) &&
        matcher(obj.metadata.labels),
    );
    return structuredClone(items);
  }

  get(resource: KubeResource, namespace: string, name: string): KubeObject {
    const obj = this.#bucket(resource).get(`${namespace}/${name}`);
    if (!obj) throw notFound(resource, name);
    return structuredClone(obj);
  }

  create(resource: KubeResource, namespace: string, body: KubeObject): KubeObject {
    const name = body.metadata?.name ?? generateName(body.metadata?.generateName);
    if (!name) throw new KubeApiError(422, "Invalid", "metadata.name: Required value");
    const bucket = this.#bucket(resource);
    if (bucket.has(`${namespace}/${name}`)) {
      throw new KubeApiError(
        409,
        "AlreadyExists",
        `${resource.plural} "${name}" already exists`,
      );
    }
    const obj = structuredClone(body);
    if (resource.statusSubresource && resource.group !== "") delete obj.status;
    obj.apiVersion = apiVersionOf(resource);
    obj.kind = resource.kind;
    obj.metadata = {
      ...obj.metadata,
      name,
      namespace,
      uid: randomUUID(),
      generation: 1,
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    };
    delete obj.metadata.generateName;
    this.#admit(resource, obj);
    return this.#commit(resource, "ADDED", obj, undefined);
  }

  /**
   * Replaces an object with `change(current)`, keeping the parts outside
   * `scope`: a status write leaves spec and generation alone; a main write
   * keeps the stored status when status is a subresource and bumps
   * `generation` when spec changed.
   */
  update(
    resource: KubeResource,
    namespace: string,
    name: string,
    scope: WriteScope,
    change: (current: KubeObject) => KubeObject,
  ): KubeObject {
    const current = this.get(resource, namespace, name);
    const proposed = change(structuredClone(current));
    const wanted = proposed.metadata?.resourceVersion;
    if (wanted !== undefined && wanted !== current.metadata.resourceVersion) {
      throw new KubeApiError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${resource.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const next = scope === "status" ? { ...current, status: proposed.status } : proposed;
    if (scope === "main" && resource.statusSubresource) next.status = current.status;
    next.metadata = {
      ...(scope === "status" ? current.metadata : proposed.metadata),
      name,
      namespace,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      generation: current.metadata.generation,
    };
    this.#admit(resource, next);
    if (JSON.stringify(next.spec) !== JSON.stringify(current.spec)) {
      next.metadata.generation = (current.metadata.generation ?? 0) + 1;
    }
    next.apiVersion = current.apiVersion;
    next.kind = current.kind;
    return this.#commit(resource, "MODIFIED", next, current);
  }

  /** Deletes an object, then (like the garbage collector) what it owns. */
  delete(resource: KubeResource, namespace: string, name: string): KubeObject {
    const current = this.get(resource, namespace, name);
    this.#bucket(resource).delete(`${namespace}/${name}`);
    const deleted = this.#commit(resource, "DELETED", current, undefined);
    this.#collectOwnedBy(namespace, current.metadata.uid ?? "");
    return deleted;
  }

  #collectOwnedBy(namespace: string, uid: string) {
    for (const resource of KUBE_RESOURCES) {
      for (const obj of this.list(resource, namespace, () => true)) {
        const owned = obj.metadata.ownerReferences?.some((ref) => ref.uid === uid);
        if (owned) this.delete(resource, namespace, obj.metadata.name ?? "");
      }
    }
  }

  /** Applies schema defaults, then refuses an object the schema rejects. */
  #admit(resource: KubeResource, obj: KubeObject) {
    const schema = this.#schemas.get(resource);
    if (!schema) return;
    applyDefaults(schema, obj);
    const problems = validateSchema(schema, obj);
    if (problems.length === 0) return;
    throw new KubeApiError(
      422,
      "Invalid",
      `${resource.kind} "${obj.metadata.name}" is invalid: ${problems.join(", ")}`,
    );
  }

  #commit(
    resource: KubeResource,
    type: WatchEventType,
    obj: KubeObject,
    previous: KubeObject | undefined,
  ): KubeObject {
    this.#resourceVersion++;
    obj.metadata.resourceVersion = String(this.#resourceVersion);
    const namespace = obj.metadata.namespace ?? "";
    if (type !== "DELETED") {
      this.#bucket(resource).set(`${namespace}/${obj.metadata.name}`, obj);
    }
    const event: StoreEvent = {
      resourceVersion: this.#resourceVersion,
      resource,
      namespace,
      type,
      object: structuredClone(obj),
      previous,
    };
    this.#history.push(event);
    while (this.#history.length > this.#historySize) {
      const dropped = this.#history.shift();
      if (dropped) this.compactedVersion = dropped.resourceVersion;
    }
    for (const listener of this.#listeners) listener(event);
    return structuredClone(obj);
  }

  #bucket(resource: KubeResource): Map<string, KubeObject> {
    const key = resourceKey(resource);
    let bucket = this.#objects.get(key);
    if (!bucket) {
      bucket = new Map();
      this.#objects.set(key, bucket);
    }
    return bucket;
  }
}

function notFound(resource: KubeResource, name: string) {
  const group = resource.group ? `.${resource.group}` : "";
  return new KubeApiError(
    404,
    "NotFound",
    `${resource.plural}${group} "${name}" not found`,
  );
}

function generateName(prefix: string | undefined): string | undefined {
  return prefix === undefined ? undefined : `${prefix}${randomUUID().slice(0, 5)}`;
}
