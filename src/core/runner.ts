// The step runner (Packer's multistep, with typed state). Steps run in order; a step's
// cleanup is pushed the moment the step starts, so a step that fails half-way is cleaned up
// too; cleanups unwind in reverse on success, failure and cancellation. -on-error and
// -debug are wrappers around steps, not flags inside them.
import { CancelledError, ImgbuildError, NonInteractiveError, cancelledBy, errorMessage } from './errors.js';
import type { Step, StepContext } from './plugin.js';
import { StateKey } from './state.js';

export type OnErrorMode = 'cleanup' | 'abort' | 'ask' | 'run-cleanup-provisioner';

export interface RunStepsOptions {
  onError?: OnErrorMode;
  /** Pause before each step (-debug). */
  debug?: boolean;
  /** How long all cleanups together may take after a cancel or failure. Default 10 minutes. */
  cleanupTimeoutMs?: number;
  /**
   * After a cancel, how long the running step may take to stop before the runner stops
   * waiting for it and cleans up anyway. Default 30 s.
   */
  abortGraceMs?: number;
}

/** Set by the runner before unwinding when the build failed or was cancelled (Packer's StateHalted). */
export const BUILD_ERROR = new StateKey<unknown>('build-error');

/**
 * Steps the core provides may carry these. `quiet`: the runner emits no step events for it
 * (the provisioning step emits one pair per provisioner). `errorCleanup`: its cleanup still
 * runs under -on-error=run-cleanup-provisioner (it runs the error-cleanup-provisioner).
 */
export interface CoreStep extends Step {
  readonly quiet?: boolean;
  readonly errorCleanup?: boolean;
}

/** Thrown by the -on-error wrappers: stop now and leave every resource in place. */
export class LeaveResourcesError extends ImgbuildError {
  constructor(readonly original: unknown) {
    super('E_LEFT_RESOURCES', errorMessage(original));
  }
}

/**
 * Runs the steps; resolves when all succeeded and were cleaned up, otherwise throws the
 * first error (CancelledError when ctx.signal was aborted). Cleanup failures are reported
 * as `cleanup` events and never replace that error.
 */
export async function runSteps(steps: readonly Step[], ctx: StepContext, opts: RunStepsOptions = {}): Promise<void> {
  const mode = opts.onError ?? 'cleanup';
  const wrapped = steps.map((s) => wrapStep(s, mode, opts.debug ?? false));
  const pushed: CoreStep[] = [];
  let failure: unknown;
  let leave = false;

  for (const step of wrapped) {
    if (ctx.signal.aborted) {
      failure = cancelledBy(ctx.signal);
      break;
    }
    if (step.cleanup) pushed.push(step);
    const started = Date.now();
    if (!step.quiet) ctx.ui.emit({ type: 'step-start', build: ctx.ui.build, step: step.name, time: started });
    try {
      // After a cancel, a step stuck on something that ignores the signal is given up on
      // after a grace period, so the cleanups still run and Ctrl-C never hangs the process.
      const graceMs = opts.abortGraceMs ?? 30_000;
      await abortable(step.run(ctx), ctx.signal, {
        graceMs,
        onGiveUp: () => ctx.ui.warn(`step "${step.name}" did not stop within ${Math.round(graceMs / 1000)} s of the cancel; cleaning up without it`),
      });
      ctx.ui.flush();
      if (!step.quiet) emitEnd(ctx, step.name, started, true);
    } catch (e) {
      ctx.ui.flush();
      if (!step.quiet) emitEnd(ctx, step.name, started, false);
      if (ctx.signal.aborted) failure = e instanceof CancelledError ? e : cancelledBy(ctx.signal);
      else if (e instanceof LeaveResourcesError) {
        failure = e.original;
        leave = true;
      } else failure = e;
      break;
    }
  }

  const cancelled = failure instanceof CancelledError;
  if (failure !== undefined && !cancelled && (mode === 'abort' || mode === 'run-cleanup-provisioner')) leave = true;
  if (failure !== undefined) ctx.state.set(BUILD_ERROR, failure);

  // Cleanups get their own signal: the build's is aborted after a cancel, and they must
  // still run, but bounded, so a stuck cleanup cannot hold the process forever.
  const cleanupCtx: StepContext = { ...ctx, signal: AbortSignal.timeout(opts.cleanupTimeoutMs ?? 600_000) };
  const toRun = leave ? pushed.filter((s) => mode === 'run-cleanup-provisioner' && s.errorCleanup) : pushed;
  if (leave) {
    const left = pushed.filter((s) => !toRun.includes(s)).map((s) => s.name);
    ctx.ui.warn(
      `-on-error=${mode}: not cleaning up${left.length > 0 ? ` after ${left.map((n) => `"${n}"`).join(', ')}` : ''}; ` +
        'resources are left in place and recorded in the journal. Run `imgbuild cleanup` to remove them.',
    );
  }
  for (const step of toRun.reverse()) {
    try {
      await step.cleanup?.(cleanupCtx);
      ctx.ui.flush();
      ctx.ui.emit({ type: 'cleanup', build: ctx.ui.build, step: step.name, ok: true, time: Date.now() });
    } catch (e) {
      ctx.ui.flush();
      ctx.ui.emit({ type: 'cleanup', build: ctx.ui.build, step: step.name, ok: false, error: errorMessage(e), time: Date.now() });
    }
  }
  if (failure !== undefined) throw asError(failure);
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new ImgbuildError('E_INTERNAL', `non-error thrown: ${String(e)}`, { source: 'internal' });
}

function emitEnd(ctx: StepContext, step: string, started: number, ok: boolean): void {
  const time = Date.now();
  ctx.ui.emit({ type: 'step-end', build: ctx.ui.build, step, time, durationMs: time - started, ok });
}

function wrapStep(step: Step, mode: OnErrorMode, debug: boolean): CoreStep {
  let s: CoreStep = step;
  if (mode === 'ask') s = askOnError(s);
  if (debug) s = pauseBefore(s);
  return s;
}

/** -debug: wait for the user before each step. Without a terminal it does not pause. */
export function pauseBefore(step: CoreStep): CoreStep {
  return {
    ...passThrough(step),
    async run(ctx) {
      try {
        await abortable(ctx.ui.ask(`Pausing before step "${step.name}". Press enter to continue.`), ctx.signal);
      } catch (e) {
        if (!(e instanceof NonInteractiveError)) throw e;
      }
      await step.run(ctx);
    },
  };
}

/** -on-error=ask: on failure offer [c]leanup, [a]bort (leave everything) or [r]etry the step. */
export function askOnError(step: CoreStep): CoreStep {
  return {
    ...passThrough(step),
    async run(ctx) {
      for (;;) {
        try {
          await step.run(ctx);
          return;
        } catch (e) {
          if (ctx.signal.aborted) throw e;
          let answer: string;
          try {
            answer = await abortable(
              ctx.ui.ask(`Step "${step.name}" failed: ${errorMessage(e)}\n[c] Clean up and exit, [a] abort without cleanup, or [r] retry step?`),
              ctx.signal,
            );
          } catch (askError) {
            if (askError instanceof NonInteractiveError) {
              ctx.ui.warn('-on-error=ask: no terminal to ask; cleaning up');
              throw e;
            }
            throw askError;
          }
          const a = answer.trim().toLowerCase();
          if (a.startsWith('r')) {
            ctx.ui.say(`Retrying step "${step.name}"...`);
            continue;
          }
          if (a.startsWith('a')) throw new LeaveResourcesError(e);
          throw e;
        }
      }
    },
  };
}

function passThrough(step: CoreStep): CoreStep {
  const out: { -readonly [K in keyof CoreStep]: CoreStep[K] } = { name: step.name, run: (ctx) => step.run(ctx) };
  if (step.cleanup) out.cleanup = (ctx) => step.cleanup?.(ctx) ?? Promise.resolve();
  if (step.quiet !== undefined) out.quiet = step.quiet;
  if (step.errorCleanup !== undefined) out.errorCleanup = step.errorCleanup;
  return out;
}

/**
 * Rejects with CancelledError as soon as the signal aborts, or `graceMs` after it (time for
 * `p` to stop by itself; `onGiveUp` is said first); the promise itself is left to settle.
 */
export function abortable<T>(p: Promise<T>, signal: AbortSignal, grace: { graceMs: number; onGiveUp: () => void } | null = null): Promise<T> {
  if (signal.aborted && grace === null) return Promise.reject(cancelledBy(signal));
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (grace === null) return reject(cancelledBy(signal));
      timer = setTimeout(() => {
        grace.onGiveUp();
        reject(cancelledBy(signal));
      }, grace.graceMs);
    };
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        done();
        resolve(v);
      },
      (e: unknown) => {
        done();
        reject(e instanceof Error ? e : new ImgbuildError('E_INTERNAL', String(e), { source: 'internal' }));
      },
    );
  });
}

/** An abortable sleep. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(cancelledBy(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelledBy(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
