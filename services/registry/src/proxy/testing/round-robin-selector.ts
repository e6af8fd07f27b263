import type {
  CallOutcome,
  RouteMatch,
  UpstreamSelector,
  UpstreamTarget,
  Visibility,
} from "../upstream-selector.js";

/** A test stand-in for the catalog: fixed routes by path prefix, fixed
 * instances per type picked in turn, and a record of every call. */
export class RoundRobinSelector implements UpstreamSelector {
  readonly #routes: [prefix: string, match: RouteMatch][] = [];
  readonly #targets = new Map<string, UpstreamTarget[]>();
  readonly #next = new Map<string, number>();
  readonly picks: { serviceType: string; key: string | undefined; excludeId?: string }[] =
    [];
  readonly started: string[] = [];
  readonly finished: { id: string; outcome: CallOutcome }[] = [];

  /** Routes paths starting with `prefix` to `serviceType`. */
  addRoute(prefix: string, serviceType: string, visibility: Visibility = "public"): this {
    this.#routes.push([prefix, { serviceType, visibility }]);
    return this;
  }

  /** Replaces the type's instances; the next pick is the first of them. */
  setTargets(serviceType: string, targets: UpstreamTarget[]): this {
    this.#targets.set(serviceType, targets);
    this.#next.delete(serviceType);
    return this;
  }

  route(path: string): RouteMatch | undefined {
    return this.#routes.find(([prefix]) => path.startsWith(prefix))?.[1];
  }

  pick(
    serviceType: string,
    key: string | undefined,
    excludeId?: string,
  ): UpstreamTarget | undefined {
    this.picks.push({ serviceType, key, excludeId });
    const targets = this.#targets.get(serviceType) ?? [];
    const candidates =
      targets.length > 1 ? targets.filter((t) => t.id !== excludeId) : targets;
    if (candidates.length === 0) {
      return undefined;
    }
    const n = this.#next.get(serviceType) ?? 0;
    this.#next.set(serviceType, n + 1);
    return candidates[n % candidates.length];
  }

  onStart(target: UpstreamTarget): void {
    this.started.push(target.id);
  }

  onFinish(target: UpstreamTarget, outcome: CallOutcome): void {
    this.finished.push({ id: target.id, outcome });
  }
}

/** A target for an instance of `serviceType` listening on 127.0.0.1:`port`. */
export function localTarget(serviceType: string, port: number): UpstreamTarget {
  return { id: `${serviceType}@127.0.0.1:${port}`, host: "127.0.0.1", port };
}
