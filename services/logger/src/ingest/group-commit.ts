import type { NewLogRecord } from "../store/log-record.js";
import type { LogStore } from "../store/log-store.js";

/** Options of GroupCommit. */
export interface GroupCommitOptions {
  /**
   * Most records one shared transaction takes (default 5,000, the most
   * one Push may carry, so no commit blocks the event loop longer than
   * the largest single Push would). A bigger write still goes alone.
   */
  readonly maxRecords?: number;
}

interface PendingWrite {
  readonly records: readonly NewLogRecord[];
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Stores the records of concurrent Pushes in shared transactions. A
 * commit under synchronous=FULL waits for an fsync of the WAL, and
 * better-sqlite3 waits on the event loop, so one commit per Push of 500
 * spends more time blocked than storing. Writes are queued and flushed
 * from setImmediate: every Push whose body was decoded in the same
 * event-loop turn shares one transaction and one fsync. Each write still
 * resolves only after the transaction holding its records committed, so
 * an acknowledged Push stays durable.
 */
export class GroupCommit {
  readonly #store: LogStore;
  readonly #maxRecords: number;
  #pending: PendingWrite[] = [];
  #scheduled = false;

  constructor(store: LogStore, options: GroupCommitOptions = {}) {
    this.#store = store;
    this.#maxRecords = options.maxRecords ?? 5_000;
  }

  /** Resolves once `records` are committed; rejects with the store's error. */
  write(records: readonly NewLogRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#pending.push({ records, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    const group = this.#takeGroup();
    if (this.#pending.length > 0) this.#schedule();
    const records =
      group.length === 1 ? (group[0]?.records ?? []) : group.flatMap((w) => w.records);
    try {
      this.#store.insert(records);
    } catch (err) {
      for (const write of group) write.reject(err);
      return;
    }
    for (const write of group) write.resolve();
  }

  // The oldest writes up to maxRecords, and always at least one.
  #takeGroup(): PendingWrite[] {
    let count = 0;
    let taken = 0;
    for (const write of this.#pending) {
      if (taken > 0 && count + write.records.length > this.#maxRecords) break;
      count += write.records.length;
      taken++;
    }
    return this.#pending.splice(0, taken);
  }
}
