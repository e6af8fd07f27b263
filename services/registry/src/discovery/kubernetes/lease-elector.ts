import {
  CoordinationV1Api,
  type KubeConfig,
  type V1Lease,
} from "@kubernetes/client-node";
import type { Logger } from "pino";

/** Leader election timings; the defaults are controller-runtime's. */
export interface LeaseTimings {
  /** How long a lease holds without renewal before others may take it. Default 15000 ms. */
  readonly leaseDurationMs?: number;
  /** A leader that fails to renew for this long steps down. Default 10000 ms. */
  readonly renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. Default 2000 ms. */
  readonly retryPeriodMs?: number;
}

/** Options of LeaseElector. */
export interface LeaseElectorOptions extends LeaseTimings {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** Name of the coordination.k8s.io/v1 Lease. */
  readonly leaseName: string;
  /** This replica's identity in the lease, usually the pod name. */
  readonly identity: string;
  readonly logger: Logger;
  /** Called with true on becoming leader and false on losing it. */
  readonly onLeadingChange: (leading: boolean) => void;
}

/**
 * Leader election on a Lease, the way client-go does it: a lease counts as
 * held while its record keeps changing, judged by this replica's own clock
 * (so clock skew between nodes does not matter), and the leader renews on
 * every retry period. Stopping releases the lease so a successor need not
 * wait out its duration.
 */
export class LeaseElector {
  readonly #options: LeaseElectorOptions;
  readonly #api: CoordinationV1Api;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  #leading = false;
  #lastRenewMs = 0;
  #observedVersion: string | undefined;
  #observedAtMs = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: LeaseElectorOptions) {
    this.#options = options;
    this.#api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.#leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryPeriodMs = options.retryPeriodMs ?? 2000;
  }

  get leading(): boolean {
    return this.#leading;
  }

  start() {
    void this.#tick();
  }

  /** Stops campaigning and releases the lease if held. */
  async stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    if (!this.#leading) return;
    this.#setLeading(false);
    await this.#release().catch((err: unknown) => {
      this.#options.logger.warn({ err }, "lease release failed");
    });
  }

  async #tick() {
    if (this.#stopped) return;
    const attempt = this.#tryAcquireOrRenew();
    this.#running = attempt.then(() => undefined);
    const ok = await attempt;
    const nowMs = Date.now();
    if (ok) this.#lastRenewMs = nowMs;
    if (this.#stopped) return;
    if (ok && !this.#leading) this.#setLeading(true);
    if (!ok && this.#leading && nowMs - this.#lastRenewMs > this.#renewDeadlineMs) {
      this.#setLeading(false);
    }
    this.#timer = setTimeout(() => void this.#tick(), this.#retryPeriodMs);
    this.#timer.unref();
  }

  #setLeading(leading: boolean) {
    this.#leading = leading;
    this.#options.logger.info(
      { identity: this.#options.identity, lease: this.#options.leaseName },
      leading ? "became leader" : "stopped leading",
    );
    this.#options.onLeadingChange(leading);
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, leaseName: name, identity } = this.#options;
    try {
      const lease = await this.#read();
      if (!lease) return await this.#create();
      const nowMs = Date.now();
      const version = lease.metadata?.resourceVersion;
      if (version !== this.#observedVersion) {
        this.#observedVersion = version;
        this.#observedAtMs = nowMs;
      }
      const holder = lease.spec?.holderIdentity ?? "";
      const expired = this.#observedAtMs + this.#leaseDurationMs <= nowMs;
      if (holder !== "" && holder !== identity && !expired) return false;
      const now = new Date(nowMs);
      const spec = { ...lease.spec, holderIdentity: identity, renewTime: now };
      spec.leaseDurationSeconds = Math.ceil(this.#leaseDurationMs / 1000);
      if (holder !== identity) {
        spec.acquireTime = now;
        spec.leaseTransitions = (lease.spec?.leaseTransitions ?? 0) + 1;
      }
      const body = { ...lease, spec };
      const updated = await this.#api.replaceNamespacedLease({ namespace, name, body });
      this.#observedVersion = updated.metadata?.resourceVersion;
      this.#observedAtMs = Date.now();
      return true;
    } catch (err) {
      // 409: another replica wrote first; anything else: retry next period.
      if (codeOf(err) !== 409)
        this.#options.logger.debug({ err }, "lease attempt failed");
      return false;
    }
  }

  async #read(): Promise<V1Lease | undefined> {
    const { namespace, leaseName: name } = this.#options;
    try {
      return await this.#api.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (codeOf(err) === 404) return undefined;
      throw err;
    }
  }

  async #create(): Promise<boolean> {
    const { namespace, leaseName: name, identity } = this.#options;
    const now = new Date();
    const created = await this.#api.createNamespacedLease({
      namespace,
      body: {
        metadata: { name, namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: Math.ceil(this.#leaseDurationMs / 1000),
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      },
    });
    this.#observedVersion = created.metadata?.resourceVersion;
    this.#observedAtMs = Date.now();
    return true;
  }

  // Like client-go's ReleaseOnCancel: an empty holder lets others take over at once.
  async #release() {
    const { namespace, leaseName: name, identity } = this.#options;
    const lease = await this.#read();
    if (!lease || lease.spec?.holderIdentity !== identity) return;
    const spec = { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1 };
    await this.#api.replaceNamespacedLease({ namespace, name, body: { ...lease, spec } });
  }
}

/** The HTTP status of a client error (ApiException.code), if any. */
export function codeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "number" ? code : undefined;
}
