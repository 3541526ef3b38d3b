// `imgbuild cleanup`: removes what killed or aborted builds left behind, from the resource
// journal every build writes before it creates anything. Runs whose process is still alive
// are left alone. --dry-run only lists what would be removed. Each plugin declares the
// resource kinds it journals; this command registers them from every known plugin, so a
// cloud resource is resolved by the plugin that created it, with the credentials, region
// and endpoint its journal entry names.
import { ExitCode } from '../../core/errors.js';
import { registerBuiltins } from '../plugins.js';
import { defaultJournalDir } from '../../core/journal.js';
import { cleanupJournal, listJournal } from '../../core/journal-cleanup.js';
import { registerResourceKindSource } from '../../core/journal-kinds.js';
import type { JournalEntry, RemoveOutcome } from '../../core/journal-types.js';
import { knownPlugins, loadDefinition, type LoadableKind } from '../../core/registry.js';
import type { CliIo } from '../io.js';

export interface CleanupFlags {
  dryRun?: boolean;
  list?: boolean;
  journalDir?: string;
}

export async function runCleanup(flags: CleanupFlags, io: CliIo): Promise<number> {
  const dir = flags.journalDir ?? defaultJournalDir(io.env);
  if (flags.list === true) return listRuns(dir, io);
  const dryRun = flags.dryRun === true;
  await registerPluginResourceKinds();
  const report = await cleanupJournal(dir, { dryRun });
  for (const entry of report.wouldRemove) io.stdout.write(`would remove ${entry.kind} ${entry.description}${origin(entry)}\n`);
  for (const { entry, outcome } of report.removed) io.stdout.write(`${removedLine(entry, outcome)}\n`);
  for (const f of report.failed) {
    io.stderr.write(`Error: could not remove ${f.entry.kind} ${f.entry.description}: ${f.error}\n`);
  }
  for (const s of report.skippedRuns) {
    io.stdout.write(`skipped run ${s.runId}: its process (pid ${s.pid}) is still running\n`);
  }
  if (report.removed.length === 0 && report.wouldRemove.length === 0 && report.failed.length === 0) {
    io.stdout.write(`Nothing to clean up in ${dir}.\n`);
  }
  return report.failed.length > 0 ? ExitCode.FAILURE : ExitCode.OK;
}

/** Every run with resources still recorded, running or not; removes nothing. */
async function listRuns(dir: string, io: CliIo): Promise<number> {
  const runs = (await listJournal(dir)).filter((r) => r.entries.length > 0);
  for (const run of runs) {
    io.stdout.write(`run ${run.runId} (pid ${run.pid}, ${run.alive ? 'still running' : 'gone'}):\n`);
    for (const e of run.entries) io.stdout.write(`  ${e.kind} ${e.description} (build ${e.build}, since ${e.createdAt})\n`);
  }
  if (runs.length === 0) io.stdout.write(`Nothing recorded in ${dir}.\n`);
  return ExitCode.OK;
}

/** `removed ec2-instance temporary instance: i-0abc (found by client token t) (build b, run r)` */
function removedLine(entry: JournalEntry, outcome: RemoveOutcome): string {
  const detail = outcome.detail === undefined ? '' : ` (${outcome.detail})`;
  if (outcome.removed.length === 0) return `nothing left of ${entry.kind} ${entry.description}${detail}${origin(entry)}`;
  return `removed ${entry.kind} ${entry.description}: ${outcome.removed.join(', ')}${detail}${origin(entry)}`;
}

function origin(entry: JournalEntry): string {
  return ` (build ${entry.build}, run ${entry.runId})`;
}

/**
 * Every known plugin's definition declares the resource kinds it journals (no runtime is
 * loaded for that); their removers load only when an entry of that kind is met. A plugin
 * that fails to load (absent in this build) just leaves its entries reported as failures.
 */
async function registerPluginResourceKinds(): Promise<void> {
  registerBuiltins();
  const kinds: LoadableKind[] = ['builder', 'provisioner', 'post-processor'];
  const plugins = await Promise.all(kinds.flatMap((kind) => knownPlugins(kind).map((name) => loadDefinition(kind, name).catch(() => null))));
  for (const plugin of plugins) if (plugin?.resourceKinds) registerResourceKindSource(plugin.resourceKinds);
}
