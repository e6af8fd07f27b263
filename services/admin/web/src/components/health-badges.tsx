import type { Instance } from "../api/types";
import { formatTime } from "../format";

/** Health as a coloured badge that also says it in words. */
export function HealthBadge({ health }: { readonly health: Instance["health"] }) {
  return <span class={`badge health-${health}`}>{health}</span>;
}

/** Draining and ejected, when they apply. */
export function StateBadges({ instance }: { readonly instance: Instance }) {
  return (
    <>
      {instance.draining && <span class="badge state-draining">draining</span>}
      {instance.ejected && (
        <span class="badge state-ejected">
          ejected
          {instance.ejectedUntil ? ` until ${formatTime(instance.ejectedUntil)}` : ""}
        </span>
      )}
    </>
  );
}

/** The last health check in one line: outcome, duration, time, reason. */
export function LastCheck({ instance }: { readonly instance: Instance }) {
  const check = instance.lastCheck;
  if (!check) return <span class="muted">no check yet</span>;
  const outcome = check.ok ? "check ok" : "check failed";
  const reason = check.reason ? `: ${check.reason}` : "";
  return (
    <span class={check.ok ? "check-ok" : "check-failed"}>
      {outcome}
      {reason} · {Math.round(check.durationMs)} ms · {formatTime(check.time)}
    </span>
  );
}
