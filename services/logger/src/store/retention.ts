import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { LogStore } from "./log-store.js";

/** Options of startRetention. */
export interface RetentionOptions {
  /** Records older than this (by their own time) are deleted. Default 7 days. */
  readonly maxAgeMs?: number;
  /** Deletes the oldest records while the data exceeds this. Default 1 GiB. */
  readonly maxBytes?: number;
  /** How often the age rule runs. Default 60,000. */
  readonly intervalMs?: number;
  /** Rows deleted per transaction; ingest runs between steps. Default 5,000. */
  readonly stepRows?: number;
  /** Free space kept inside the file for new records. Default 64 MiB. */
  readonly reclaimSlackBytes?: number;
  /** The clock, for tests. Default Date.now. */
  readonly now?: () => number;
  /** Told about each pass that deleted something, and about failures. */
  readonly onPass?: (pass: RetentionPass) => void;
  readonly onError?: (err: unknown) => void;
}

/** What one retention pass did. */
export interface RetentionPass {
  readonly deletedByAge: number;
  readonly deletedBySize: number;
  readonly reclaimedBytes: number;
  readonly usedBytes: number;
}

/** A running retention loop. */
export interface Retention {
  /** Runs one pass now (or joins the one running) and resolves when done. */
  runOnce(): Promise<RetentionPass>;
  /** Stops the timer and waits for a running pass to finish its step. */
  stop(): Promise<void>;
}

const defaults = {
  maxAgeMs: 7 * 24 * 3_600_000,
  maxBytes: 1024 ** 3,
  intervalMs: 60_000,
  stepRows: 5_000,
  reclaimSlackBytes: 64 * 1024 ** 2,
};

// Pages handed back per incremental_vacuum step: 8 MiB at 4 KiB pages.
const reclaimStepPages = 2_048;
// The size rule trims to this share of maxBytes, so a store at its cap
// does not run a pass after every Push.
const sizeLowWater = 0.9;

/**
 * Enforces retention in the background: the age rule on a timer, the size
 * rule as soon as an insert pushes the data past maxBytes. Each step is
 * one short transaction and the loop yields to the event loop between
 * steps, so Push never waits for more than one step.
 */
export function startRetention(
  store: LogStore,
  options: RetentionOptions = {},
): Retention {
  const loop = new RetentionLoop(store, options);
  loop.start();
  return loop;
}

class RetentionLoop implements Retention {
  readonly #store: LogStore;
  readonly #options: RetentionOptions;
  readonly #settings: typeof defaults;
  readonly #now: () => number;
  #running: Promise<RetentionPass> | undefined;
  #stopped = false;
  #sizeCheckQueued = false;
  #timer: NodeJS.Timeout | undefined;
  #stopWatching: (() => void) | undefined;

  constructor(store: LogStore, options: RetentionOptions) {
    this.#store = store;
    this.#options = options;
    this.#settings = { ...defaults, ...definedOnly(options) };
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    this.#timer = setInterval(() => this.#runInBackground(), this.#settings.intervalMs);
    this.#timer.unref();
    this.#stopWatching = this.#store.onCommit(() => this.#checkSizeSoon());
    this.#runInBackground();
  }

  runOnce(): Promise<RetentionPass> {
    this.#running ??= this.#pass()
      .then((result) => {
        if (result.deletedByAge + result.deletedBySize > 0)
          this.#options.onPass?.(result);
        return result;
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#stopWatching?.();
    await this.#running?.catch(() => undefined);
  }

  async #pass(): Promise<RetentionPass> {
    const store = this.#store;
    const { maxAgeMs, maxBytes, stepRows, reclaimSlackBytes } = this.#settings;
    const keepGoing = () => !this.#stopped;
    const cutoff = () => this.#now() - maxAgeMs;
    const deletedByAge = await deleteInSteps(store, stepRows, cutoff, keepGoing);
    const overLowWater = () => keepGoing() && store.usedBytes() > maxBytes * sizeLowWater;
    const deletedBySize =
      store.usedBytes() > maxBytes
        ? await deleteInSteps(store, stepRows, undefined, overLowWater)
        : 0;
    const reclaimedBytes = await reclaim(store, reclaimSlackBytes, keepGoing);
    return { deletedByAge, deletedBySize, reclaimedBytes, usedBytes: store.usedBytes() };
  }

  #runInBackground(): void {
    if (this.#stopped || this.#running) return;
    this.runOnce().catch((err: unknown) => this.#options.onError?.(err));
  }

  // Called inside Push (a commit listener), which should answer before
  // any deletion step: the pass starts on the next turn.
  #checkSizeSoon(): void {
    if (this.#sizeCheckQueued || this.#running) return;
    if (this.#store.usedBytes() <= this.#settings.maxBytes) return;
    this.#sizeCheckQueued = true;
    setImmediate(() => {
      this.#sizeCheckQueued = false;
      this.#runInBackground();
    });
  }
}

function definedOnly(options: RetentionOptions): Partial<typeof defaults> {
  const out: Partial<typeof defaults> = {};
  for (const key of Object.keys(defaults) as (keyof typeof defaults)[]) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

async function deleteInSteps(
  store: LogStore,
  stepRows: number,
  cutoff: (() => number) | undefined,
  keepGoing: () => boolean,
): Promise<number> {
  let total = 0;
  while (keepGoing()) {
    const deleted = store.deleteOldest(stepRows, cutoff?.());
    total += deleted;
    if (deleted < stepRows) break;
    await yieldToEventLoop();
  }
  return total;
}

async function reclaim(
  store: LogStore,
  slackBytes: number,
  keepGoing: () => boolean,
): Promise<number> {
  let total = 0;
  while (keepGoing() && store.freeBytes() > slackBytes) {
    const before = store.freeBytes();
    if (store.reclaimFreePages(reclaimStepPages) === 0) break;
    total += before - store.freeBytes();
    await yieldToEventLoop();
  }
  return total;
}
