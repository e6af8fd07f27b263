import type { ProxyContext } from "./proxy-context.js";
import { countCode } from "./proxy-metrics.js";
import { noInstance, type ProxyFailure, upstreamFailed } from "./rpc-errors.js";
import {
  isRetryable,
  upstreamErrorKind,
  upstreamErrorReason,
  warnUpstreamFailure,
} from "./upstream-errors.js";
import type { UpstreamTarget } from "./upstream-selector.js";
import type { UpstreamEntry } from "./upstream-table.js";

/** What both exchanges (HTTP/1.1 and HTTP/2) know about their current attempt. */
export interface Attempt {
  readonly ctx: ProxyContext;
  readonly serviceType: string;
  target: UpstreamTarget | undefined;
  entry: UpstreamEntry | undefined;
  dispatchedAt: number;
  status: number;
}

/**
 * Makes `target` the attempt's instance and counts the call as started,
 * for active requests and for the catalog; returns its pooled connections.
 */
export function startAttempt(attempt: Attempt, target: UpstreamTarget): UpstreamEntry {
  const { ctx } = attempt;
  const entry = ctx.upstreams.entry(target, attempt.serviceType);
  attempt.target = target;
  attempt.entry = entry;
  attempt.status = 0;
  entry.stats.active++;
  ctx.selector.onStart(target);
  attempt.dispatchedAt = performance.now();
  return entry;
}

/**
 * Accounts for the end of one attempt on one instance: active requests,
 * the code and latency metrics, and the outcome the catalog learns from
 * (balancing and passive health). Does nothing before a dispatch.
 */
export function endAttempt(
  attempt: Attempt,
  notSent: boolean,
  failed: boolean,
  code: number,
): void {
  const { target, entry } = attempt;
  if (target === undefined || entry === undefined) return;
  const latencyMs = performance.now() - attempt.dispatchedAt;
  entry.stats.active--;
  countCode(entry.stats.byCode, code);
  attempt.ctx.metrics.typeStats(attempt.serviceType).latency.observe(latencyMs / 1000);
  attempt.ctx.selector.onFinish(target, {
    notSent,
    failed,
    status: attempt.status,
    latencyMs,
  });
}

/** What an exchange offers for {@link failBeforeAnswer}. */
export interface RetryableAttempt extends Attempt {
  /** 0 on the first instance, 1 on the retry. */
  attempt: number;
  readonly requestId: string;
  /** Picks an instance and sends the call to it. */
  dispatch(): void;
  /** Answers the client with an error of the proxy's own. */
  answer(failure: ProxyFailure): void;
  finish(): void;
}

/**
 * A failure before any answer reached the client: counts it against the
 * instance, then sends the call once to another instance when nothing
 * reached the first and the request can be sent again (`replayable`: its
 * body is still at hand), else answers unavailable.
 */
export function failBeforeAnswer(
  exchange: RetryableAttempt,
  err: Error,
  replayable: boolean,
): void {
  const kind = upstreamErrorKind(err);
  const retryable = isRetryable(kind);
  const stats = exchange.entry?.stats;
  if (retryable && stats !== undefined) stats.connectErrors++;
  endAttempt(exchange, kind !== "other", kind !== "rejected", 14);
  if (retryable && replayable && exchange.attempt === 0) {
    exchange.attempt = 1;
    exchange.ctx.metrics.typeStats(exchange.serviceType).retries++;
    exchange.dispatch();
    return;
  }
  warnUpstreamFailure(exchange.ctx.logger, stats, err, exchange.requestId);
  exchange.answer(upstreamFailed(exchange.serviceType, upstreamErrorReason(err)));
  exchange.finish();
}

/** What an exchange offers for {@link pickNextTarget}. */
export interface DispatchingAttempt extends Attempt {
  readonly answered: boolean;
  /** Why the call stopped (client gone, deadline), or null while it runs. */
  readonly stopReason: Error | null;
  /** Affinity key for hashing balancers. */
  readonly key: string | undefined;
  /** Answers the client with an error before any instance was tried. */
  refuse(failure: ProxyFailure): void;
  /** Passes on what is left of the caller's deadline (true without one);
   * false, with the call answered, when nothing is left. */
  setRemainingTimeout(): boolean;
}

/**
 * The instance the next attempt goes to, avoiding the one just tried;
 * undefined when the call is over, no instance is left (refused), or the
 * deadline has passed (answered).
 */
export function pickNextTarget(exchange: DispatchingAttempt): UpstreamTarget | undefined {
  if (exchange.answered || exchange.stopReason !== null) return undefined;
  const { selector } = exchange.ctx;
  const target = selector.pick(exchange.serviceType, exchange.key, exchange.target?.id);
  if (target === undefined) {
    exchange.refuse(noInstance(exchange.serviceType));
    return undefined;
  }
  return exchange.setRemainingTimeout() ? target : undefined;
}
