// `imgbuild cleanup`: removes what killed or aborted builds left behind, from the resource
// journal each build writes before it creates anything. --dry-run only lists it.
import { ExitCode } from '../../core/errors.js';
import { cleanupJournal } from '../../core/index.js';
import type { CliIo } from '../io.js';
import { defaultJournalDir } from '../journal-dir.js';

export interface CleanupFlags {
  dryRun?: boolean;
  journalDir?: string;
}

export async function runCleanup(flags: CleanupFlags, io: CliIo): Promise<number> {
  const dir = flags.journalDir ?? defaultJournalDir(io.env);
  const dryRun = flags.dryRun === true;
  const report = await cleanupJournal(dir, { dryRun });
  return report.failed.length > 0 ? ExitCode.FAILURE : ExitCode.OK;
}
