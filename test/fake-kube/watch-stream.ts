import type { ServerResponse } from "node:http";
import { apiVersionOf, type KubeResource } from "./kube-resources.js";
import type { LabelMatcher } from "./label-selector.js";
import {
  KubeApiError,
  type KubeObject,
  type ObjectStore,
  type StoreEvent,
} from "./object-store.js";

/** What one watch request asked for. */
export interface WatchStreamOptions {
  readonly resource: KubeResource;
  /** Undefined for a cluster-wide watch. */
  readonly namespace: string | undefined;
  readonly matcher: LabelMatcher;
  /** The client sent allowWatchBookmarks=true. */
  readonly bookmarks: boolean;
  readonly bookmarkIntervalMs: number;
  /** Server-side end of the watch (timeoutSeconds); 0 for none. */
  readonly timeoutMs: number;
}

/**
 * One open watch: newline-delimited JSON events on a chunked response,
 * starting after the requested resourceVersion.
 */
export class WatchStream {
  readonly #res: ServerResponse;
  readonly #options: WatchStreamOptions;
  readonly #timers: NodeJS.Timeout[] = [];
  #held: string[] | undefined;
  #ended = false;

  constructor(res: ServerResponse, options: WatchStreamOptions) {
    this.#res = res;
    this.#options = options;
  }

  /** Sends the 200 and replays what happened after `resourceVersion`; an
   * empty or "0" version starts with ADDED for every current object. */
  begin(store: ObjectStore, resourceVersion: string) {
    this.#res.writeHead(200, {
      "content-type": "application/json",
      "transfer-encoding": "chunked",
    });
    this.#res.flushHeaders();
    try {
      if (resourceVersion === "" || resourceVersion === "0") this.#sendCurrent(store);
      else
        for (const event of store.eventsSince(Number(resourceVersion))) this.send(event);
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
      this.expire(store.compactedVersion);
      return;
    }
    this.#startTimers(store);
  }

  /** Forwards a store event if this watch selects it. */
  send(event: StoreEvent) {
    const { resource, namespace, matcher } = this.#options;
    if (event.resource !== resource) return;
    if (namespace !== undefined && event.namespace !== namespace) return;
    const now = matcher(event.object.metadata.labels);
    const before = event.previous ? matcher(event.previous.metadata.labels) : now;
    // A label change moves an object into or out of a selector's view.
    let type: string = event.type;
    if (event.type === "MODIFIED" && now && !before) type = "ADDED";
    if (event.type === "MODIFIED" && !now && before) type = "DELETED";
    if (!now && !before) return;
    if (event.type !== "MODIFIED" && !now) return;
    this.#write({ type, object: event.object });
  }

  bookmark(resourceVersion: number) {
    if (!this.#options.bookmarks) return;
    const { resource } = this.#options;
    this.#write({
      type: "BOOKMARK",
      object: {
        apiVersion: apiVersionOf(resource),
        kind: resource.kind,
        metadata: { resourceVersion: String(resourceVersion) },
      },
    });
  }

  /** Sends the 410 ERROR event a too-old resourceVersion gets, and ends. */
  expire(compactedVersion: number) {
    this.#write({
      type: "ERROR",
      object: {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: `too old resource version (${compactedVersion})`,
        reason: "Expired",
        code: 410,
      },
    });
    this.end();
  }

  pause() {
    this.#held ??= [];
  }

  resume() {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const line of held) this.#res.write(line);
  }

  /** Cuts the connection without a final chunk, as a dying node does. */
  drop() {
    this.stop();
    this.#res.socket?.destroy();
  }

  end() {
    this.stop();
    if (!this.#res.writableEnded) this.#res.end();
  }

  stop() {
    this.#ended = true;
    for (const timer of this.#timers) clearTimeout(timer);
  }

  #sendCurrent(store: ObjectStore) {
    const { resource, namespace, matcher } = this.#options;
    for (const object of store.list(resource, namespace, matcher)) {
      this.#write({ type: "ADDED", object });
    }
  }

  #startTimers(store: ObjectStore) {
    const { bookmarks, bookmarkIntervalMs, timeoutMs } = this.#options;
    if (bookmarks) {
      const timer = setInterval(
        () => this.bookmark(store.resourceVersion),
        bookmarkIntervalMs,
      );
      this.#timers.push(timer);
    }
    if (timeoutMs > 0) this.#timers.push(setTimeout(() => this.end(), timeoutMs));
  }

  #write(event: { type: string; object: KubeObject | Record<string, unknown> }) {
    if (this.#ended) return;
    const line = `${JSON.stringify(event)}\n`;
    if (this.#held) this.#held.push(line);
    else this.#res.write(line);
  }
}
