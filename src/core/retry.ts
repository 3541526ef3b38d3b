// The one retry loop every driver uses: exponential backoff with jitter, capped, honouring
// the provider's Retry-After and the build's abort signal. By default it retries what goes
// away by itself (throttled, transient); a step widens that for cases it knows are
// temporary, e.g. deleting a security group while the instance that used it terminates.
// Time comes from an injectable clock, so tests count attempts and never wait.
import { cancelledBy } from './errors.js';
import { isDriverError } from './driver-errors.js';
import { sleep } from './runner.js';

/** Where time comes from; tests pass a fake that advances instantly. */
export interface Clock {
  now(): number;
  /** Waits `ms`, rejecting with CancelledError as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep };

export interface RetryInfo {
  /** The attempt that just failed, 1-based. */
  attempt: number;
  error: unknown;
  /** How long we wait before the next attempt. */
  delayMs: number;
}

export interface RetryOptions {
  signal: AbortSignal;
  /** Calls in all, the first included (default 8). */
  maxAttempts?: number;
  /** Give up rather than start a wait that would end after this much time in all. */
  maxElapsedMs?: number;
  /** First delay (default 500 ms); doubles each time up to `maxDelayMs` (default 15 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Which failures to retry; default `isRetryable` (throttled or transient). */
  retryOn?: (error: unknown, attempt: number) => boolean;
  /** Told before each wait, e.g. to say "throttled, retrying in 2 s". */
  onRetry?: (info: RetryInfo) => void;
  clock?: Clock;
  /** In [0, 1); default Math.random. Tests pin it. */
  random?: () => number;
}

export const RETRY_DEFAULTS = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 15_000 } as const;

/** Throttled and transient driver errors. */
export function isRetryable(e: unknown): boolean {
  return isDriverError(e) && e.retryable;
}

/**
 * Calls `fn` until it succeeds, a failure is not retryable, or the attempts or time run out;
 * then the last error is thrown as it was (a DriverError gets `attempts` and a note saying
 * so). An abort during a wait or a call throws CancelledError.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const maxAttempts = opts.maxAttempts ?? RETRY_DEFAULTS.maxAttempts;
  const retryOn = opts.retryOn ?? isRetryable;
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    if (opts.signal.aborted) throw cancelledBy(opts.signal);
    try {
      return await fn(attempt);
    } catch (e) {
      if (opts.signal.aborted) throw cancelledBy(opts.signal);
      if (!retryOn(e, attempt)) throw e;
      const delayMs = retryDelay(e, attempt, opts, random);
      const outOfTime = opts.maxElapsedMs !== undefined && clock.now() - started + delayMs > opts.maxElapsedMs;
      if (attempt >= maxAttempts || outOfTime) throw gaveUp(e, attempt, clock.now() - started);
      opts.onRetry?.({ attempt, error: e, delayMs });
      await clock.sleep(delayMs, opts.signal);
    }
  }
}

/**
 * Full backoff `base * 2^(n-1)` capped at `maxDelayMs`, with jitter in its upper half so
 * parallel builds spread out; never shorter than the Retry-After the provider asked for.
 */
export function retryDelay(e: unknown, attempt: number, opts: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const base = opts.baseDelayMs ?? RETRY_DEFAULTS.baseDelayMs;
  const cap = opts.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs;
  const backoff = Math.min(cap, base * 2 ** (attempt - 1));
  const jittered = Math.round(backoff / 2 + (backoff / 2) * random());
  const asked = isDriverError(e, 'throttled') ? e.retryAfterMs : undefined;
  return asked === undefined ? jittered : Math.max(jittered, asked);
}

function gaveUp(e: unknown, attempts: number, elapsedMs: number): unknown {
  if (isDriverError(e) && attempts > 1) {
    e.attempts = attempts;
    e.message += ` (gave up after ${attempts} attempts in ${Math.round(elapsedMs / 1000)} s)`;
  }
  return e;
}
