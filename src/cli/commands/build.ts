// `imgbuild build`: load, plan and validate the template, then run the builds with the
// chosen renderer. SIGINT/SIGTERM abort the AbortController handed to the core, which
// cancels the running steps and unwinds every cleanup in reverse order; we exit 130 only
// after that, as Packer does. Further signals during cleanup are acknowledged, not obeyed:
// killing imgbuild half-way through cleanup is what leaves resources behind.
import { BuildError, CancelledError, ExitCode, ImgbuildError } from '../../core/errors.js';
import { createSink, type SinkMode } from '../../core/events.js';
import { runBuilds } from '../../core/orchestrator.js';
import { validatePlan } from '../../core/registry.js';
import type { OnErrorMode } from '../../core/runner.js';
import { UsageError } from '../argv.js';
import { planBuilds } from '../../template/planner.js';
import { loadForCli, planForCli, reportOrThrow, type LoadedTemplate, type TemplateFlags } from '../load.js';
import { isCi, wantsColor, type CliIo } from '../io.js';
import { defaultJournalDir } from '../../core/journal.js';
import { resolveSourceDate } from '../source-date.js';
import { applyCacheFlags, type CacheBuildFlags } from './cache.js';
import { registerBuiltins } from '../plugins.js';

export interface BuildFlags extends TemplateFlags, CacheBuildFlags {
  onError: OnErrorMode;
  parallelBuilds: string;
  force?: boolean;
  debug?: boolean;
  machineReadable?: boolean;
  json?: boolean;
  timestampUi?: boolean;
  journalDir?: string;
  color: boolean;
}

export async function runBuild(templatePath: string, flags: BuildFlags, io: CliIo): Promise<number> {
  const parallel = Number(flags.parallelBuilds);
  if (!Number.isInteger(parallel) || parallel < 0) {
    throw new UsageError(`-parallel-builds must be a whole number (0 means no limit), not "${flags.parallelBuilds}"`);
  }
  if (flags.json === true && flags.machineReadable === true) {
    throw new UsageError('-machine-readable and --json cannot be used together');
  }
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      io.stderr.write(`\nReceived ${signal}: cancelling the builds and cleaning up...\n`);
      controller.abort(new CancelledError(`build cancelled by ${signal}`));
    } else {
      io.stderr.write(`Received ${signal} again: cleanup is in progress and will finish first.\n`);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await loadAndRun(templatePath, flags, io, parallel, controller);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Data sources run while loading, so a signal during their requests cancels them too. */
async function loadAndRun(templatePath: string, flags: BuildFlags, io: CliIo, parallel: number, controller: AbortController): Promise<number> {
  let loaded: LoadedTemplate;
  try {
    loaded = await loadForCli(templatePath, flags, io, { dataSources: 'build', signal: controller.signal });
  } catch (err) {
    if (controller.signal.aborted) return ExitCode.INTERRUPTED;
    throw err;
  }
  if (controller.signal.aborted) return ExitCode.INTERRUPTED;
  const plan = await planForCli(loaded, flags, io);
  if (plan.builds.length === 0) throw noBuilds(loaded, flags);
  registerBuiltins();
  await reportOrThrow(await validatePlan(plan), loaded.sources, flags, io);
  // The step cache is configured through the environment the builders read.
  applyCacheFlags(flags, io.env);
  // So is the outputs' date: decided once here, the same for every build and plugin.
  const date = resolveSourceDate(io.env, plan.templateDir, Date.now());
  io.env['SOURCE_DATE_EPOCH'] = String(date.epoch);

  const sink = createSink(sinkMode(flags, io), {
    builds: plan.builds.map((b) => b.displayName),
    color: wantsColor(io, flags.color) && io.stdout.isTTY === true,
    timestamps: flags.timestampUi === true,
    out: io.stdout,
    sensitiveValues: plan.sensitiveValues,
    env: io.env,
  });

  try {
    const results = await runBuilds(plan, {
      parallel,
      onError: flags.onError,
      debug: flags.debug === true,
      force: flags.force === true,
      sink,
      signal: controller.signal,
      journalDir: flags.journalDir ?? defaultJournalDir(io.env),
      notices: [date.note],
    });
    if (controller.signal.aborted) return ExitCode.INTERRUPTED;
    return results.every((r) => r.ok) ? ExitCode.OK : ExitCode.FAILURE;
  } catch (err) {
    if (controller.signal.aborted && !(err instanceof BuildError)) return ExitCode.INTERRUPTED;
    throw err;
  } finally {
    await sink.close?.();
  }
}

/**
 * A build that builds nothing is almost always a mistyped -only/-except (or an empty
 * template); succeeding silently would hide it from a CI pipeline.
 */
function noBuilds(loaded: LoadedTemplate, flags: BuildFlags): ImgbuildError {
  const all = planBuilds(loaded.template, { only: [], except: [] }).plan?.builds.map((b) => b.displayName) ?? [];
  const filters = [
    ...(flags.only !== undefined ? [`-only=${flags.only.join(',')}`] : []),
    ...(flags.except !== undefined ? [`-except=${flags.except.join(',')}`] : []),
  ];
  if (all.length === 0) return new ImgbuildError('E_NO_BUILDS', 'No builds to run: the template has no build blocks with sources.');
  return new ImgbuildError(
    'E_NO_BUILDS',
    `No builds to run: none of the template's builds (${all.join(', ')}) is selected by ${filters.join(' ')}.`,
  );
}

/** --json and -machine-readable are for programs; -debug needs plain prompts; else by terminal. */
function sinkMode(flags: BuildFlags, io: CliIo): SinkMode {
  if (flags.json === true) return 'json';
  if (flags.machineReadable === true) return 'machine-readable';
  if (flags.debug === true || flags.onError === 'ask') return 'plain';
  // A pseudo-terminal without a size (some CI runners, `script`) makes listr2 wrap every
  // character onto its own line: such a terminal gets plain lines.
  const columns = (io.stdout as { columns?: number }).columns ?? 0;
  return io.stdout.isTTY === true && !isCi(io.env) && columns >= 20 ? 'listr2' : 'plain';
}
