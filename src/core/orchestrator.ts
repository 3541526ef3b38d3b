// Runs the builds of a plan, as `packer build` does: each build loads its builder, prepares
// its config, runs the builder's steps with the core's provisioning inserted, then each
// post-processor chain from the builder's artifact. Builds run in parallel up to a limit,
// and one failing does not stop the others.
import { randomUUID } from 'node:crypto';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { hasErrors } from '../hcl/diagnostic.js';
import type { BuildPlan, PlannedBuild, PlannedPostProcessor } from './model/plan.js';
import { unknownValueDiagnostics } from './config.js';
import { diagnosticsText } from './diagnostics.js';
import { CancelledError, DiagnosticsError, ImgbuildError, cancelledBy, errorMessage } from './errors.js';
import { ScrubbingSink, makeScrubber, makeUi } from './events.js';
import { RunJournal } from './journal.js';
import type { Journal } from './journal-types.js';
import { PROVISION_STEP, type Artifact, type BuildInfo, type GeneratedData, type Step, type StepContext } from './plugin.js';
import { GENERATED_DATA } from './build-state.js';
import { provisionStep } from './provision.js';
import { isKnownPlugin, loadPlugin, unknownPluginDiagnostic } from './registry.js';
import { runSteps, type OnErrorMode } from './runner.js';
import { StateBag, StateKey } from './state.js';
import type { EventSink, Ui } from './ui.js';

export interface RunBuildsOptions {
  /** Builds at once; 0 = unlimited (Packer's -parallel-builds). -debug forces 1. */
  parallel: number;
  onError: OnErrorMode;
  debug: boolean;
  /** -force: builders and post-processors may replace existing output (read FORCE from state). */
  force: boolean;
  sink: EventSink;
  /** Aborted on SIGINT/SIGTERM by the CLI. */
  signal: AbortSignal;
  journalDir: string;
  /** Bound on the cleanups after a failure or cancel. Default 10 minutes. */
  cleanupTimeoutMs?: number;
  /** Packer's run UUID; generated when absent. */
  runId?: string;
  /** Lines every build says first (the outputs' date and where it came from). */
  notices?: readonly string[];
}

export interface BuildResult {
  /** The build's display name ("name.type.name" or "type.name"). */
  name: string;
  ok: boolean;
  cancelled: boolean;
  /** Final artifacts, in Packer's order (the kept builder artifact, then the chains' results). */
  artifacts: Artifact[];
  /** The error that failed the build: DiagnosticsError for config problems. */
  error?: unknown;
  durationMs: number;
}

/** -force, for steps that would otherwise refuse to replace existing output. */
export const FORCE = new StateKey<boolean>('force');

export async function runBuilds(plan: BuildPlan, opts: RunBuildsOptions): Promise<BuildResult[]> {
  const sink =
    plan.sensitiveValues.length > 0 && !(opts.sink instanceof ScrubbingSink)
      ? new ScrubbingSink(opts.sink, plan.sensitiveValues)
      : opts.sink;
  const runId = opts.runId ?? randomUUID();
  const journal = await RunJournal.create(opts.journalDir, runId);
  // As Packer: -debug disables parallel builds, so pauses of two builds never interleave.
  const parallel = opts.debug ? 1 : opts.parallel;
  try {
    return await pool(plan.builds, parallel, (b) =>
      runBuild(b, { plan, opts, sink, runId, journal: journal.forBuild(b.displayName) }),
    );
  } finally {
    await journal.close();
  }
}

interface BuildEnv {
  plan: BuildPlan;
  opts: RunBuildsOptions;
  sink: EventSink;
  runId: string;
  journal: Journal;
}

async function runBuild(b: PlannedBuild, env: BuildEnv): Promise<BuildResult> {
  const { opts } = env;
  const ui = makeUi(b.displayName, env.sink);
  const started = Date.now();
  ui.emit({ type: 'build-start', build: b.displayName, time: started });
  for (const notice of opts.notices ?? []) ui.say(notice);
  const finish = (r: Omit<BuildResult, 'name' | 'durationMs'>): BuildResult => {
    ui.flush();
    const time = Date.now();
    ui.emit({
      type: 'build-end',
      build: b.displayName,
      ok: r.ok,
      time,
      ...(r.ok ? {} : { error: failureText(r.error) }),
      ...(r.cancelled ? { cancelled: true } : {}),
    });
    return { name: b.displayName, durationMs: time - started, ...r };
  };
  try {
    if (opts.signal.aborted) throw cancelledBy(opts.signal);
    const artifacts = await buildAndPostProcess(b, env, ui);
    artifacts.forEach((a, index) =>
      ui.emit({
        type: 'artifact',
        build: b.displayName,
        builderId: a.builderId,
        id: a.id,
        files: a.files,
        description: a.description,
        index,
        time: Date.now(),
      }),
    );
    return finish({ ok: true, cancelled: false, artifacts });
  } catch (e) {
    const cancelled = e instanceof CancelledError || opts.signal.aborted;
    return finish({ ok: false, cancelled, artifacts: [], error: cancelled && !(e instanceof CancelledError) ? cancelledBy(opts.signal) : e });
  }
}

async function buildAndPostProcess(b: PlannedBuild, env: BuildEnv, ui: Ui): Promise<Artifact[]> {
  const { opts, plan } = env;
  const info: BuildInfo = {
    buildName: b.buildName,
    sourceFullName: b.sourceFullName,
    sourceType: b.sourceType,
    sourceName: b.sourceName,
    runId: env.runId,
    templateDir: plan.templateDir,
    sensitiveValues: plan.sensitiveValues,
  };
  if (!isKnownPlugin('builder', b.sourceType)) {
    throw new DiagnosticsError([unknownPluginDiagnostic('builder', b.sourceType, b.source.typeRange)]);
  }
  const builder = await loadPlugin('builder', b.sourceType);
  const seed: GeneratedData = { PackerRunUUID: env.runId };
  const evaluated = b.source.evaluate(seed);
  throwIfErrors([...evaluated.diagnostics, ...unknownValueDiagnostics(evaluated.raw)]);
  const prepared = builder.prepare(evaluated.raw, {
    templateDir: plan.templateDir,
    sourceFullName: b.sourceFullName,
    buildName: b.buildName,
  });
  warnAll(ui, [...evaluated.diagnostics, ...prepared.warnings]);
  throwIfErrors(prepared.errors);
  if (prepared.config === null) throw new DiagnosticsError(prepared.errors);
  const config = prepared.config;

  const state = new StateBag();
  state.set(GENERATED_DATA, { ...seed, ConnType: builder.communicatorType(config) });
  state.set(FORCE, opts.force);
  const provision = provisionStep(b.provisioners, b.errorCleanupProvisioner);
  const declared = builder.steps(config, info);
  const steps: Step[] = declared.map((s) => (s === PROVISION_STEP ? provision : s));
  if (!declared.includes(PROVISION_STEP)) steps.push(provision);

  if (opts.debug && !env.sink.ask) ui.warn('-debug: no terminal to pause on; running without pauses');
  const ctx: StepContext = { state, signal: opts.signal, ui, journal: env.journal, build: info };
  await runSteps(steps, ctx, {
    onError: opts.onError,
    debug: opts.debug,
    ...(opts.cleanupTimeoutMs !== undefined ? { cleanupTimeoutMs: opts.cleanupTimeoutMs } : {}),
  });

  const artifact = builder.artifact(config, state);
  if (artifact === null) return [];
  return postProcess(artifact, b.postProcessorChains, ctx, makeScrubber(plan.sensitiveValues));
}

/**
 * Packer's chain semantics: every chain starts from the builder's artifact; inside a chain
 * an intermediate artifact is destroyed unless the next post-processor keeps it; the
 * builder's artifact survives when there are no post-processors or when any chain's first
 * post-processor keeps it, and then comes first in the list. A failing chain does not stop the next one; the build fails.
 */
async function postProcess(
  builderArtifact: Artifact,
  chains: PlannedPostProcessor[][],
  ctx: StepContext,
  scrub: (text: string) => string,
): Promise<Artifact[]> {
  const { ui } = ctx;
  const results: Artifact[] = [];
  const errors: string[] = [];
  let keepOriginal = chains.length === 0;
  for (const chain of chains) {
    let prior = builderArtifact;
    let failed = false;
    for (const [i, pp] of chain.entries()) {
      if (ctx.signal.aborted) throw cancelledBy(ctx.signal);
      const label = pp.name ?? pp.type;
      const started = Date.now();
      ui.emit({ type: 'step-start', build: ui.build, step: label, time: started });
      let ok = false;
      try {
        const generated = ctx.state.get(GENERATED_DATA) ?? {};
        const evaluated = pp.evaluate(generated);
        throwIfErrors([...evaluated.diagnostics, ...unknownValueDiagnostics(evaluated.raw)]);
        if (!isKnownPlugin('post-processor', pp.type)) {
          throw new DiagnosticsError([unknownPluginDiagnostic('post-processor', pp.type, pp.typeRange)]);
        }
        const plugin = await loadPlugin('post-processor', pp.type);
        const prepared = plugin.prepare(evaluated.raw, {
          templateDir: ctx.build.templateDir,
          sourceFullName: ctx.build.sourceFullName,
          buildName: ctx.build.buildName,
        });
        warnAll(ui, [...evaluated.diagnostics, ...prepared.warnings]);
        throwIfErrors(prepared.errors);
        if (prepared.config === null) throw new DiagnosticsError(prepared.errors);
        const res = await plugin.process(
          { signal: ctx.signal, ui, journal: ctx.journal, build: ctx.build, generated, force: ctx.state.get(FORCE) === true, scrub },
          prior,
          prepared.config,
        );
        let keep = res.keepInput;
        if (pp.keepInputArtifact !== null) {
          if (res.keepInput && !pp.keepInputArtifact && res.forceOverride) {
            ui.message(`The ${pp.type} post-processor keeps its input artifact; keep_input_artifact = false is ignored.`);
          } else keep = pp.keepInputArtifact;
        }
        if (i === 0) {
          if (keep) keepOriginal = true;
        } else if (keep) {
          results.push(prior);
        } else {
          await destroy(prior, ui, errors);
        }
        prior = res.artifact;
        ok = true;
      } catch (e) {
        if (e instanceof CancelledError || ctx.signal.aborted) throw e instanceof CancelledError ? e : cancelledBy(ctx.signal);
        errors.push(`post-processor "${label}": ${failureText(e)}`);
        ui.error(`Error running post-processor "${label}": ${failureText(e)}`);
        failed = true;
      } finally {
        ui.flush();
        const time = Date.now();
        ui.emit({ type: 'step-end', build: ui.build, step: label, time, durationMs: time - started, ok });
      }
      if (failed) break;
    }
    if (!failed) results.push(prior);
  }
  // Packer (packer/build.go) puts the kept builder artifact first: consumers such as
  // terratest read `artifact,0,id` as the builder's.
  if (keepOriginal) results.unshift(builderArtifact);
  else await destroy(builderArtifact, ui, errors);
  if (errors.length > 0) {
    throw new ImgbuildError('E_POST_PROCESSOR', errors.join('\n'));
  }
  return results;
}

async function destroy(a: Artifact, ui: Ui, errors: string[]): Promise<void> {
  try {
    await a.destroy();
  } catch (e) {
    errors.push(`destroy artifact ${a.id}: ${errorMessage(e)}`);
    ui.error(`Error destroying artifact ${a.id}: ${errorMessage(e)}`);
  }
}

function throwIfErrors(diags: readonly Diagnostic[]): void {
  if (hasErrors(diags)) throw new DiagnosticsError(diags.filter((d) => d.severity === 'error'));
}

function warnAll(ui: Ui, diags: readonly Diagnostic[]): void {
  for (const d of diags) if (d.severity === 'warning') ui.warn(diagnosticsText([d]));
}

function failureText(e: unknown): string {
  if (e instanceof DiagnosticsError) return diagnosticsText(e.diagnostics) || e.message;
  return errorMessage(e);
}

/** Runs fn over items with at most `limit` at once (0: all), results in input order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  const width = limit <= 0 ? items.length : Math.min(limit, items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}
