import type { ServiceInstance } from "./kube-objects.js";

interface Applied {
  readonly uid: string;
  readonly generation: number;
}

interface Waiter {
  /** Ends the wait if the catalog now reflects what it waits for. */
  check(): void;
  /** Ends the wait unfulfilled. */
  cancel(): void;
}

/**
 * Which generation of each ServiceInstance the catalog reflects, recorded
 * after every reconcile. A spec write waits here rather than on the value
 * it wrote: a later write of another value, or a reconcile that coalesced
 * both, would otherwise leave it waiting for a value the catalog skipped.
 */
export class AppliedGenerations {
  readonly #applied = new Map<string, Applied>();
  readonly #waiters = new Set<Waiter>();

  /** Records what a reconcile has just applied and wakes the waiters. */
  record(serviceInstances: readonly ServiceInstance[]) {
    this.#applied.clear();
    for (const si of serviceInstances) {
      const { name, uid, generation } = si.metadata ?? {};
      if (name && uid && generation !== undefined)
        this.#applied.set(name, { uid, generation });
    }
    for (const waiter of [...this.#waiters]) waiter.check();
  }

  /** True once the catalog reflects generation `generation` (or a later
   * one) of the object `uid` named `name`. */
  reflects(name: string, uid: string, generation: number): boolean {
    const applied = this.#applied.get(name);
    return applied?.uid === uid && applied.generation >= generation;
  }

  /** Resolves true once `reflects` holds, false after `timeoutMs` or close. */
  waitFor(
    name: string,
    uid: string,
    generation: number,
    timeoutMs: number,
  ): Promise<boolean> {
    if (this.reflects(name, uid, generation)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (reflected: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(reflected);
      };
      const waiter: Waiter = {
        check: () => {
          if (this.reflects(name, uid, generation)) finish(true);
        },
        cancel: () => finish(false),
      };
      const timer = setTimeout(waiter.cancel, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Ends every wait with false (the source is stopping). */
  close() {
    this.#applied.clear();
    for (const waiter of [...this.#waiters]) waiter.cancel();
  }
}
