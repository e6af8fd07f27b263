import type {
  RouteMatch,
  UpstreamSelector,
  UpstreamTarget,
} from "../../services/registry/src/proxy/upstream-selector.js";

/** Every path goes to one public type whose instances are picked in turn:
 * the benchmark measures the proxy, not a balancer. */
export class BenchSelector implements UpstreamSelector {
  readonly #route: RouteMatch;
  readonly #targets: UpstreamTarget[];
  #next = 0;

  constructor(serviceType: string, ports: readonly number[]) {
    this.#route = { serviceType, visibility: "public", needsAffinityKey: false };
    this.#targets = ports.map((port) => ({
      id: `${serviceType}@127.0.0.1:${port}`,
      host: "127.0.0.1",
      port,
    }));
  }

  route(): RouteMatch {
    return this.#route;
  }

  pick(
    _serviceType: string,
    _key: string | undefined,
    excludeId?: string,
  ): UpstreamTarget {
    let target = this.#targets[this.#next++ % this.#targets.length] as UpstreamTarget;
    if (target.id === excludeId) {
      target = this.#targets[this.#next++ % this.#targets.length] as UpstreamTarget;
    }
    return target;
  }

  onStart(): void {}

  onFinish(): void {}
}
