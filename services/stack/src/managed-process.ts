import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { ProcessSpec } from "./stack-plan.js";

/** What a managed process reports to whoever supervises it. */
export interface ProcessEvents {
  /** One line the process wrote, on stdout or stderr. */
  line(spec: ProcessSpec, line: string, stream: "stdout" | "stderr"): void;
  /** The process died without being asked to and will start again. */
  crashed(spec: ProcessSpec, exit: ExitInfo, restartInMs: number): void;
  /**
   * The process refused its configuration (exit code {@link CONFIG_EXIT_CODE})
   * and is not restarted: it would only refuse it again.
   */
  refused?(spec: ProcessSpec, exit: ExitInfo): void;
  started(spec: ProcessSpec, pid: number): void;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Restart policy for a process that exits on its own. */
export interface RestartPolicy {
  /** First delay before a restart. Default 500 ms. */
  readonly initialDelayMs: number;
  /** The delay doubles after each crash up to this. Default 15,000 ms. */
  readonly maxDelayMs: number;
  /** A process that stayed up this long has its delay reset. Default 30,000 ms. */
  readonly stableAfterMs: number;
}

/** What the kit's loadConfig exits with when a variable is invalid. */
export const CONFIG_EXIT_CODE = 2;

export const defaultRestartPolicy: RestartPolicy = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 15_000,
  stableAfterMs: 30_000,
});

// Children live in their own process groups, so nothing takes them down
// with the supervisor: whatever way it exits (short of SIGKILL, which no
// process can observe), it kills what is still running.
const liveChildren = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of liveChildren) child.kill("SIGKILL");
});

/**
 * One service process: started, restarted with backoff when it crashes,
 * stopped with SIGTERM (then SIGKILL after a grace period) on request.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<ExitInfo> = Promise.resolve({ code: 0, signal: null });
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private startedAtMs = 0;

  constructor(
    readonly spec: ProcessSpec,
    private readonly events: ProcessEvents,
    private readonly policy: RestartPolicy = defaultRestartPolicy,
  ) {
    this.delayMs = policy.initialDelayMs;
  }

  /** The running child's pid, if one is running. */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  start(): void {
    this.stopping = false;
    const child = spawn(process.execPath, [...this.spec.nodeArgs], {
      env: { ...process.env, ...this.spec.env },
      stdio: ["ignore", "pipe", "pipe"],
      // A process group of its own: Ctrl-C in a terminal signals the whole
      // foreground group, and services that got it directly would race the
      // supervisor's ordered stop (services first, the registry last).
      detached: true,
    });
    this.child = child;
    liveChildren.add(child);
    this.startedAtMs = Date.now();
    this.pipeLines(child);
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        liveChildren.delete(child);
        resolve({ code, signal });
        this.onExit({ code, signal });
      });
    });
    if (child.pid !== undefined) this.events.started(this.spec, child.pid);
  }

  /** Sends a signal to the running child (tests use SIGKILL to crash it). */
  kill(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** Stops the process for good: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<ExitInfo> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return this.exited;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    const exit = await this.exited;
    clearTimeout(killer);
    return exit;
  }

  private pipeLines(child: ChildProcess): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const source = child[stream];
      if (!source) continue;
      const lines = createInterface({
        input: source,
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      lines.on("line", (line) => this.events.line(this.spec, line, stream));
    }
  }

  private onExit(exit: ExitInfo): void {
    if (this.stopping) return;
    if (exit.code === CONFIG_EXIT_CODE) {
      this.events.refused?.(this.spec, exit);
      return;
    }
    if (Date.now() - this.startedAtMs >= this.policy.stableAfterMs) {
      this.delayMs = this.policy.initialDelayMs;
    }
    const delayMs = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.policy.maxDelayMs);
    this.events.crashed(this.spec, exit, delayMs);
    this.restartTimer = setTimeout(() => {
      if (!this.stopping) this.start();
    }, delayMs);
  }
}
