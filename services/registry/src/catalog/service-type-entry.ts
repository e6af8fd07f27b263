import type { Balancer, PickContext } from "../balancers/balancer.js";
import type { RouteMatch, Visibility } from "../proxy/upstream-selector.js";
import type { CatalogInstance } from "./catalog-instance.js";

/**
 * One service type: its instances, its balancer, and the endpoint array the
 * balancer picks from.
 *
 * The endpoint array is rebuilt lazily, and gets a new identity only when
 * membership, a weight or an instance's eligibility changed, so a balancer
 * may key derived state (weight sums, rings) on the array itself.
 */
export class ServiceTypeEntry {
  readonly name: string;
  readonly balancerName: string;
  readonly balancer: Balancer;
  readonly instances = new Set<CatalogInstance>();
  visibility: Visibility;
  route: RouteMatch;
  /** Set while too few instances are eligible and all non-draining ones serve. */
  panic = false;
  ejectedCount = 0;
  #endpoints: readonly CatalogInstance[] = [];
  #stale = true;
  // Reused on every pick: a pick allocates nothing.
  readonly #context: PickContext = { key: undefined, nowMs: 0 };

  constructor(name: string, visibility: Visibility, balancer: Balancer) {
    this.name = name;
    this.visibility = visibility;
    this.balancerName = balancer.name;
    this.balancer = balancer;
    this.route = this.#routeMatch();
  }

  setVisibility(visibility: Visibility) {
    this.visibility = visibility;
    this.route = this.#routeMatch();
  }

  /** Asks the balancer for one of `endpoints` (an array from `endpoints()`
   * or a subset of it); `nowMs` is on the performance.now() clock. */
  pick(
    endpoints: readonly CatalogInstance[],
    key: string | undefined,
    nowMs: number,
  ): CatalogInstance | undefined {
    this.#context.key = key;
    this.#context.nowMs = nowMs;
    // The balancer returns one of the endpoints it was given.
    return this.balancer.pick(endpoints, this.#context) as CatalogInstance | undefined;
  }

  /** Marks the endpoint array for rebuilding before the next pick. */
  invalidate() {
    this.#stale = true;
  }

  /**
   * The endpoints to balance over. Below the panic threshold (a fraction of
   * the non-draining instances that must be eligible) every non-draining
   * instance serves: better some calls fail than all of them.
   */
  endpoints(panicThreshold: number): readonly CatalogInstance[] {
    if (this.#stale) this.#rebuild(panicThreshold);
    return this.#endpoints;
  }

  #rebuild(panicThreshold: number) {
    const eligible: CatalogInstance[] = [];
    const serving: CatalogInstance[] = [];
    for (const instance of this.instances) {
      if (instance.draining) continue;
      serving.push(instance);
      if (instance.eligible) eligible.push(instance);
    }
    this.panic = serving.length > 0 && eligible.length < panicThreshold * serving.length;
    this.#endpoints = this.panic ? serving : eligible;
    this.#stale = false;
  }

  #routeMatch(): RouteMatch {
    const needsAffinityKey = this.balancerName === "ring-hash";
    return Object.freeze({
      serviceType: this.name,
      visibility: this.visibility,
      needsAffinityKey,
    });
  }
}
