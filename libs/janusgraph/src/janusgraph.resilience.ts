import {
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  IPolicy,
  RetryPolicy,
  circuitBreaker,
  halfJitterGenerator,
  handleWhen,
  retry,
  wrap,
} from 'cockatiel';
import { countsForBreaker, isRetryable } from './janusgraph.errors';

/** The knobs of the resilience policies (all from the `graph` settings namespace). */
export interface ResilienceSettings {
  /** Retries after the first attempt (0 = no retry). */
  retryAttempts: number;
  /** First backoff delay in ms; each retry waits about twice as long as the previous one. */
  retryBaseDelayMs: number;
  /** Consecutive unavailable/timeout failures that open the breaker. */
  breakerThreshold: number;
  /** How long the breaker stays open before it lets one trial request through. */
  breakerHalfOpenMs: number;
}

/** Longest single backoff, whatever the number of attempts. */
const MAX_BACKOFF_MS = 10_000;

export interface GraphPolicies {
  /** Retry (outer) around the breaker (inner): for idempotent requests. */
  idempotent: IPolicy;
  /** The breaker alone: for requests that must not run twice, and for health probes. */
  once: IPolicy;
  breaker: CircuitBreakerPolicy;
  retry: RetryPolicy;
}

/**
 * The policies every request goes through:
 *
 * - the circuit breaker counts consecutive failures that say "the server is unwell"
 *   (unavailable, timeout) and, after `breakerThreshold` of them, fails every request at once
 *   for `breakerHalfOpenMs` instead of piling more work on a sick server;
 * - the retry repeats transient failures (connection lost, lock conflicts) with exponential
 *   backoff and half jitter (each delay is between 50% and 100% of base × 2^attempt), but
 *   never an open breaker, a timeout or a rejected query.
 *
 * Retry wraps the breaker, so every attempt is seen (and counted) by the breaker.
 */
export function createGraphPolicies(settings: ResilienceSettings): GraphPolicies {
  const breaker = circuitBreaker(handleWhen(countsForBreaker), {
    halfOpenAfter: settings.breakerHalfOpenMs,
    breaker: new ConsecutiveBreaker(settings.breakerThreshold),
  });
  const retryPolicy = retry(handleWhen(isRetryable), {
    maxAttempts: settings.retryAttempts,
    backoff: new ExponentialBackoff({
      initialDelay: settings.retryBaseDelayMs,
      maxDelay: Math.max(MAX_BACKOFF_MS, settings.retryBaseDelayMs),
      generator: halfJitterGenerator,
    }),
  });
  return { idempotent: wrap(retryPolicy, breaker), once: breaker, breaker, retry: retryPolicy };
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export function breakerStateName(state: CircuitState): BreakerState {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.Open:
      return 'open';
    case CircuitState.HalfOpen:
      return 'half-open';
    case CircuitState.Isolated:
      return 'isolated';
  }
}
