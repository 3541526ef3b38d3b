import { CancelledError } from './errors.js';
import {
  DependencyError,
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
  ThrottledError,
  TransientError,
  isDriverError,
  parseRetryAfter,
} from './driver-errors.js';
import { withRetry, type Clock } from './retry.js';

/** A clock that never waits: each sleep is recorded and advances `now` at once. */
class FakeClock implements Clock {
  t = 1_000_000;
  readonly sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new CancelledError());
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve();
  }
}

/** The top of the jitter band: the full backoff. */
const top = (): number => 1 - Number.EPSILON;

const op = { operation: 'ec2:RunInstances', message: 'slow down', region: 'eu-west-1' };

/** A call that fails with the given errors in turn, then answers "ok"; counts its calls. */
function flaky(errors: Error[]): { fn: () => Promise<string>; calls: () => number } {
  let n = 0;
  return {
    fn: () => {
      const e = errors[n++];
      return e === undefined ? Promise.resolve('ok') : Promise.reject(e);
    },
    calls: () => n,
  };
}

describe('withRetry', () => {
  const signal = new AbortController().signal;

  it('retries throttled and transient failures with growing delays, then returns the answer', async () => {
    const clock = new FakeClock();
    const call = flaky([new ThrottledError(op), new TransientError({ ...op, status: 503 }), new TransientError(op)]);
    const retries: number[] = [];
    const out = await withRetry(call.fn, { signal, clock, random: top, onRetry: (i) => retries.push(i.attempt) });
    expect(out).toBe('ok');
    expect(call.calls()).toBe(4);
    expect(retries).toEqual([1, 2, 3]);
    // 500, 1000, 2000 at the top of their jitter band.
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
  });

  it('never waits less than the Retry-After the provider asked for', async () => {
    const clock = new FakeClock();
    const call = flaky([new ThrottledError({ ...op, retryAfterMs: 7_000 })]);
    await withRetry(call.fn, { signal, clock, random: () => 0 });
    expect(clock.sleeps).toEqual([7_000]);
  });

  it('caps the backoff at maxDelayMs', async () => {
    const clock = new FakeClock();
    const call = flaky(Array.from({ length: 7 }, () => new TransientError(op)));
    await withRetry(call.fn, { signal, clock, random: top, maxAttempts: 10, maxDelayMs: 4_000 });
    expect(clock.sleeps).toEqual([500, 1000, 2000, 4000, 4000, 4000, 4000]);
  });

  it('does not retry what will not go away by itself', async () => {
    for (const e of [
      new NotFoundError(op),
      new PermissionDeniedError({ ...op, action: 'ec2:RunInstances' }),
      new InvalidInputError({ ...op, field: 'instance_type' }),
      new DependencyError(op),
    ]) {
      const clock = new FakeClock();
      const call = flaky([e]);
      await expect(withRetry(call.fn, { signal, clock })).rejects.toBe(e);
      expect(call.calls()).toBe(1);
      expect(clock.sleeps).toEqual([]);
    }
  });

  it('retries what the caller says is temporary (a dependency still present)', async () => {
    const clock = new FakeClock();
    const call = flaky([new DependencyError(op), new DependencyError(op)]);
    await withRetry(call.fn, { signal, clock, retryOn: (e) => isDriverError(e, 'dependency') });
    expect(call.calls()).toBe(3);
  });

  it('gives up after maxAttempts and says so in the last error', async () => {
    const clock = new FakeClock();
    const call = flaky(Array.from({ length: 10 }, () => new ThrottledError({ ...op, providerCode: 'RequestLimitExceeded' })));
    const err = await withRetry(call.fn, { signal, clock, maxAttempts: 3 }).catch((e: unknown) => e);
    expect(call.calls()).toBe(3);
    expect(clock.sleeps).toHaveLength(2);
    expect(isDriverError(err, 'throttled')).toBe(true);
    expect((err as ThrottledError).attempts).toBe(3);
    expect((err as Error).message).toMatch(/^ec2:RunInstances \(eu-west-1\): RequestLimitExceeded: slow down \(gave up after 3 attempts in \d+ s\)$/);
  });

  it('gives up before a wait that would overrun maxElapsedMs', async () => {
    const clock = new FakeClock();
    const call = flaky(Array.from({ length: 10 }, () => new TransientError(op)));
    await expect(withRetry(call.fn, { signal, clock, random: top, maxElapsedMs: 2_000 })).rejects.toBeInstanceOf(TransientError);
    // 500 + 1000 fit in 2 s; the next 2000 would not.
    expect(clock.sleeps).toEqual([500, 1000]);
    expect(call.calls()).toBe(3);
  });

  it('stops with CancelledError when the signal aborts during a wait, without another call', async () => {
    const ac = new AbortController();
    const clock = new FakeClock();
    const call = flaky([new TransientError(op), new TransientError(op), new TransientError(op)]);
    const err = await withRetry(call.fn, {
      signal: ac.signal,
      clock,
      onRetry: (i) => {
        if (i.attempt === 2) ac.abort();
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(call.calls()).toBe(2);
  });

  it('turns a failure after an abort into CancelledError, not the call error', async () => {
    const ac = new AbortController();
    const clock = new FakeClock();
    const fn = (): Promise<string> => {
      ac.abort();
      return Promise.reject(new TransientError(op));
    };
    await expect(withRetry(fn, { signal: ac.signal, clock })).rejects.toBeInstanceOf(CancelledError);
    expect(clock.sleeps).toEqual([]);
  });

  it('makes no call at all when already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const call = flaky([]);
    await expect(withRetry(call.fn, { signal: ac.signal, clock: new FakeClock() })).rejects.toBeInstanceOf(CancelledError);
    expect(call.calls()).toBe(0);
  });
});

describe('driver errors', () => {
  it('name the call, the region, the provider code and what to do', () => {
    const e = new PermissionDeniedError({ operation: 'ec2:CreateImage', region: 'us-east-1', providerCode: 'UnauthorizedOperation', message: 'You are not authorized', action: 'ec2:CreateImage' });
    expect(e.message).toBe('ec2:CreateImage (us-east-1): UnauthorizedOperation: You are not authorized; grant ec2:CreateImage to the credentials imgbuild uses');
    expect(e.code).toBe('E_PERMISSION_DENIED');
    expect(e.source).toBe('user');
    const i = new InvalidInputError({ operation: 'ec2:RunInstances', message: 'no such instance type', field: 'instance_type' });
    expect(i.message).toBe('ec2:RunInstances: instance_type: no such instance type');
    expect(isDriverError(i, 'invalid-input') && i.field).toBe('instance_type');
    expect(isDriverError(i, 'not-found')).toBe(false);
    expect(isDriverError(new Error('x'))).toBe(false);
  });

  it('read Retry-After in seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
