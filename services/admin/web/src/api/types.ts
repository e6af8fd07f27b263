// The admin server's JSON, as services/admin/README.md ("HTTP reference") describes it.
// Timestamps are ISO-8601 strings; traffic times are epoch milliseconds.

export type Health = "pending" | "healthy" | "unhealthy";
export type Visibility = "public" | "internal" | "admin";

export interface Session {
  readonly username: string;
  readonly roles: readonly string[];
  readonly expiresAt: string;
}

export interface ServiceType {
  readonly name: string;
  readonly visibility: Visibility;
  readonly balancer: string;
  readonly instanceCount: number;
  readonly healthyCount: number;
  readonly httpRoutes: readonly string[];
}

export interface CheckResult {
  readonly time: string;
  readonly ok: boolean;
  readonly reason: string;
  readonly durationMs: number;
}

export interface InstanceStats {
  readonly requests: number;
  readonly errors: number;
  readonly latencyEwmaMs: number;
  readonly ejections: number;
  readonly picks: number;
}

export interface Instance {
  readonly id: string;
  readonly serviceType: string;
  readonly address: string;
  readonly visibility: Visibility;
  readonly weight: number;
  readonly health: Health;
  readonly healthReason: string;
  readonly healthChangedAt: string;
  readonly draining: boolean;
  readonly ejected: boolean;
  readonly ejectedUntil: string | null;
  readonly activeRequests: number;
  readonly lastCheck: CheckResult | null;
  readonly consecutiveFailures: number;
  readonly registeredAt: string;
  readonly source: "self" | "kubernetes" | "static";
  readonly stats: InstanceStats;
  /** Registration metadata; not in the contract yet, read when present. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface Overview {
  readonly types: readonly ServiceType[];
  readonly instances: readonly Instance[];
}

export interface TrafficPoint {
  /** Epoch milliseconds. */
  readonly t: number;
  readonly rps: number;
  /** 0..1 */
  readonly errorRate: number;
  readonly p99Ms: number | null;
}

export interface Traffic {
  readonly stepMs: number;
  readonly instances: Readonly<
    Record<string, { readonly serviceType: string; readonly points: TrafficPoint[] }>
  >;
}

export interface HealthChange {
  readonly time: string;
  readonly health: Health;
  readonly reason: string;
}

export interface InstanceDetail {
  readonly instance: Instance;
  readonly history: readonly HealthChange[];
  readonly traffic: readonly TrafficPoint[];
}

export const logLevels = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type LogLevel = (typeof logLevels)[number];

export interface LogRecord {
  readonly cursor: string;
  readonly time: string;
  readonly level: LogLevel;
  readonly serviceType: string;
  readonly instance: string;
  readonly message: string;
  readonly requestId: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface LogPage {
  readonly records: readonly LogRecord[];
  readonly nextCursor: string;
}

export interface LogBucket {
  /** Start of the bucket: ISO-8601, or epoch milliseconds. */
  readonly start: string | number;
  readonly counts: Readonly<Record<LogLevel, number>>;
}

export interface LogStats {
  readonly bucketMs: number;
  readonly buckets: readonly LogBucket[];
}

export interface LogSource {
  readonly serviceType: string;
  readonly instance: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly counts: Readonly<Partial<Record<LogLevel, number>>>;
}

/** Filters shared by /api/logs, /api/logs/stats and /api/logs/tail. */
export interface LogFilter {
  readonly service?: string;
  readonly instance?: string;
  readonly level?: LogLevel;
  readonly text?: string;
  /** ISO-8601 */
  readonly since?: string;
  /** ISO-8601 */
  readonly until?: string;
}
