// `imgbuild cleanup`: removes what killed or aborted builds left behind, from the resource
// journal every build writes before it creates anything. Runs whose process is still alive
// are left alone. --dry-run only lists what would be removed.
import { ExitCode } from '../../core/errors.js';
import { registerBuiltins } from '../../core/builtins.js';
import { cleanupJournal, defaultJournalDir, listJournal } from '../../core/journal.js';
import { knownPlugins, loadPlugin, type LoadableKind } from '../../core/registry.js';
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
  const report = await cleanupJournal(dir, { dryRun, loadKinds: loadEveryPlugin });
  const verb = dryRun ? 'would remove' : 'removed';
  for (const entry of report.removed) {
    io.stdout.write(`${verb} ${entry.kind} ${entry.description} (build ${entry.build}, run ${entry.runId})\n`);
  }
  for (const f of report.failed) {
    io.stderr.write(`Error: could not remove ${f.entry.kind} ${f.entry.description}: ${f.error}\n`);
  }
  for (const s of report.skippedRuns) {
    io.stdout.write(`skipped run ${s.runId}: its process (pid ${s.pid}) is still running\n`);
  }
  if (report.removed.length === 0 && report.failed.length === 0) {
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

/**
 * Resource kinds are registered by the plugins that create them; a journal entry written by
 * a plugin this process has not loaded needs every plugin loaded once. A plugin that fails
 * to load (absent in this build) just leaves its entries reported as failures.
 */
async function loadEveryPlugin(): Promise<void> {
  registerBuiltins();
  const kinds: LoadableKind[] = ['builder', 'provisioner', 'post-processor'];
  await Promise.all(
    kinds.flatMap((kind) => knownPlugins(kind).map((name) => loadPlugin(kind, name).catch(() => undefined))),
  );
}
