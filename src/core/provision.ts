// The core's provisioning step, put where a builder's step list holds PROVISION_STEP. Each
// provisioner block is evaluated late, with the build's generated data (Packer does the
// same: `build.Host` exists only once the machine does), prepared, and run through the
// communicator the builder left in state, honouring pause_before, timeout and max_retries.
import type { Diagnostic } from '../hcl/diagnostic.js';
import { hasErrors } from '../hcl/diagnostic.js';
import type { PlannedProvisioner } from './model/plan.js';
import { splitCacheMeta, type CacheMeta } from './cache-meta.js';
import { NoneCommunicator } from './none-communicator.js';
import { unknownValueDiagnostics } from './config.js';
import { diagnosticsText } from './diagnostics.js';
import { formatDuration } from './duration.js';
import { BuildError, DiagnosticsError, cancelledBy, errorMessage } from './errors.js';
import type { GeneratedData, ProvisionerRun, StepContext } from './plugin.js';
import { loadPlugin } from './registry.js';
import { BUILD_ERROR, sleep, type CoreStep } from './runner.js';
import { COMMUNICATOR, GENERATED_DATA, PROVISION_HOOKS } from './build-state.js';

/** Delay before retry n (1-based): Packer-like backoff, short first so tests stay quick. */
const retryDelayMs = (attempt: number): number => Math.min(500 * 2 ** (attempt - 1), 10_000);

export function provisionStep(provisioners: readonly PlannedProvisioner[], errorCleanup: PlannedProvisioner | null): CoreStep {
  const step: CoreStep = {
    name: 'provision',
    quiet: true,
    errorCleanup: errorCleanup !== null,
    async run(ctx) {
      for (const [index, planned] of provisioners.entries()) {
        if (ctx.signal.aborted) throw cancelledBy(ctx.signal);
        await runOne(planned, index, ctx);
      }
    },
  };
  if (errorCleanup) {
    // Packer runs the error-cleanup-provisioner from this step's cleanup when the build
    // failed, so the machine is still there for it.
    step.cleanup = async (ctx) => {
      if (ctx.state.get(BUILD_ERROR) === undefined) return;
      ctx.ui.say('Provisioning step had errors: Running the cleanup provisioner, if present...');
      await runOne(errorCleanup, -1, ctx);
    };
  }
  return step;
}

async function runOne(planned: PlannedProvisioner, index: number, ctx: StepContext): Promise<void> {
  const label = planned.name ?? planned.type;
  const started = Date.now();
  ctx.ui.emit({ type: 'step-start', build: ctx.ui.build, step: label, time: started });
  let run: ProvisionerRun | null = null;
  const end = (ok: boolean, cached?: boolean): void => {
    ctx.ui.flush();
    const time = Date.now();
    ctx.ui.emit({
      type: 'step-end',
      build: ctx.ui.build,
      step: label,
      time,
      durationMs: time - started,
      ok,
      ...(cached ? { cached } : {}),
      ...(run?.cacheKey !== undefined ? { cacheKey: run.cacheKey } : {}),
    });
  };
  try {
    const generated = ctx.state.get(GENERATED_DATA) ?? {};
    const { config, plugin, cacheMeta } = await prepareProvisioner(planned, generated, ctx);
    run = { index, type: planned.type, label, config, plugin, ...cacheMeta };
    const hooks = ctx.state.get(PROVISION_HOOKS);
    if (hooks?.before && (await hooks.before(run, ctx)) === 'skip') {
      end(true, true);
      return;
    }
    if (planned.pauseBeforeMs > 0) {
      ctx.ui.say(`Pausing ${formatDuration(planned.pauseBeforeMs)} before the next provisioner...`);
      await sleep(planned.pauseBeforeMs, ctx.signal);
    }
    const comm = ctx.state.get(COMMUNICATOR) ?? new NoneCommunicator();
    for (let attempt = 0; ; attempt++) {
      try {
        await withTimeout(planned.timeoutMs, ctx.signal, label, (signal) =>
          plugin.provision({ signal, ui: ctx.ui, comm, generated: ctx.state.get(GENERATED_DATA) ?? generated, build: ctx.build }, config),
        );
        break;
      } catch (e) {
        ctx.ui.flush();
        if (ctx.signal.aborted || attempt >= planned.maxRetries) throw e;
        ctx.ui.error(`Provisioner "${label}" failed: ${errorMessage(e)}. Retrying (${attempt + 2} of ${planned.maxRetries + 1})...`);
        await sleep(retryDelayMs(attempt + 1), ctx.signal);
      }
    }
    if (hooks?.after) await hooks.after(run, ctx);
    end(true);
  } catch (e) {
    end(false);
    throw e;
  }
}

async function prepareProvisioner(
  planned: PlannedProvisioner,
  generated: GeneratedData,
  ctx: StepContext,
): Promise<{ config: unknown; plugin: Awaited<ReturnType<typeof loadPlugin<'provisioner'>>>; cacheMeta: CacheMeta }> {
  const evaluated = planned.evaluate(generated);
  // `cache` and `cache_key` belong to the step cache, not to the plugin's config.
  const split = splitCacheMeta(evaluated.raw);
  const diags: Diagnostic[] = [...evaluated.diagnostics, ...split.errors, ...unknownValueDiagnostics(split.raw)];
  if (hasErrors(diags)) throw diagnosticsFailure(planned, diags);
  const plugin = await loadPlugin('provisioner', planned.type);
  const prepared = plugin.prepare(split.raw, {
    templateDir: ctx.build.templateDir,
    sourceFullName: ctx.build.sourceFullName,
    buildName: ctx.build.buildName,
  });
  for (const w of [...diags, ...prepared.warnings]) if (w.severity === 'warning') ctx.ui.warn(diagnosticsText([w]));
  if (prepared.errors.length > 0 || prepared.config === null) {
    throw diagnosticsFailure(planned, prepared.errors);
  }
  return { config: prepared.config, plugin, cacheMeta: split.meta };
}

function diagnosticsFailure(planned: PlannedProvisioner, diags: Diagnostic[]): DiagnosticsError {
  const err = new DiagnosticsError(diags.filter((d) => d.severity === 'error'));
  err.message = `provisioner "${planned.name ?? planned.type}": ${diagnosticsText(err.diagnostics)}`;
  return err;
}

/** Runs fn with a signal that aborts on the build's signal or after timeoutMs. */
async function withTimeout<T>(
  timeoutMs: number | null,
  parent: AbortSignal,
  label: string,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (timeoutMs === null || timeoutMs <= 0) return fn(parent);
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(), timeoutMs);
  try {
    return await fn(AbortSignal.any([parent, timer.signal]));
  } catch (e) {
    if (timer.signal.aborted && !parent.aborted) {
      throw new BuildError(`provisioner "${label}" timed out after ${formatDuration(timeoutMs)}`, {
        code: 'E_TIMEOUT',
        cause: e,
      });
    }
    throw e;
  } finally {
    clearTimeout(handle);
  }
}
