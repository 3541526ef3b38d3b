// Where the resource journal lives when --journal-dir is not given: one place per user, so
// `imgbuild cleanup` finds what any earlier build in any directory left behind.
import os from 'node:os';
import path from 'node:path';

export function defaultJournalDir(env: NodeJS.ProcessEnv): string {
  const explicit = env['IMGBUILD_JOURNAL_DIR'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const state = env['XDG_STATE_HOME'];
  const base = state !== undefined && state !== '' ? state : path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'imgbuild', 'journal');
}
