interface RouteOwner {
  readonly serviceType: string;
  /** Instances of the type that registered the prefix. */
  count: number;
}

/**
 * Which service type owns each registered HTTP route prefix. A prefix
 * belongs to one type and stays routed while any of its instances still
 * registers it.
 */
export class HttpRouteOwners {
  readonly #owners = new Map<string, RouteOwner>();

  /** The type that owns `prefix`, if any. */
  ownerOf(prefix: string): string | undefined {
    return this.#owners.get(prefix)?.serviceType;
  }

  /** Counts one instance's prefixes; true when a prefix is new. */
  add(serviceType: string, prefixes: readonly string[]): boolean {
    let added = false;
    for (const prefix of prefixes) {
      const owner = this.#owners.get(prefix);
      if (owner) owner.count++;
      else {
        this.#owners.set(prefix, { serviceType, count: 1 });
        added = true;
      }
    }
    return added;
  }

  /** Uncounts one instance's prefixes; true when a prefix is gone. */
  remove(serviceType: string, prefixes: readonly string[]): boolean {
    let removed = false;
    for (const prefix of prefixes) {
      const owner = this.#owners.get(prefix);
      if (!owner || owner.serviceType !== serviceType) continue;
      owner.count--;
      if (owner.count === 0) {
        this.#owners.delete(prefix);
        removed = true;
      }
    }
    return removed;
  }

  /** Every prefix with its type. */
  routes(): Map<string, string> {
    const routes = new Map<string, string>();
    for (const [prefix, owner] of this.#owners) routes.set(prefix, owner.serviceType);
    return routes;
  }

  /** The prefixes a type owns, sorted. */
  of(serviceType: string): string[] {
    const prefixes: string[] = [];
    for (const [prefix, owner] of this.#owners) {
      if (owner.serviceType === serviceType) prefixes.push(prefix);
    }
    return prefixes.sort();
  }
}
