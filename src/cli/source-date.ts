// The date reproducible outputs carry (layer mtimes, image `created`, disk and archive
// timestamps). $SOURCE_DATE_EPOCH always wins. Without it, the last commit time of the
// template's git repository, which is what reproducible-build projects export as
// SOURCE_DATE_EPOCH (reproducible-builds.org/docs/source-date-epoch): rebuilding the same
// commit gives the same bytes. Outside a repository, today's date at midnight UTC: the
// bytes stay the same all day, and the image is not dated 1970.
import { spawnSync } from 'node:child_process';
import { EnvironmentError } from '../core/errors.js';

export type SourceDateOrigin = 'environment' | 'git' | 'today';

export interface SourceDate {
  epoch: number;
  origin: SourceDateOrigin;
  /** One line for the build output: the date and where it came from. */
  note: string;
}

const DAY = 86_400;

export function resolveSourceDate(env: NodeJS.ProcessEnv, templateDir: string, nowMs: number, gitLastCommit = lastCommitTime): SourceDate {
  const raw = env['SOURCE_DATE_EPOCH'];
  if (raw !== undefined && raw !== '') {
    if (!/^\d+$/.test(raw)) {
      throw new EnvironmentError(`SOURCE_DATE_EPOCH=${raw}: not a whole number of seconds; unset it or set e.g. 1700000000`, { code: 'E_SOURCE_DATE_EPOCH' });
    }
    const epoch = Number(raw);
    return { epoch, origin: 'environment', note: `Dating outputs ${iso(epoch)}: SOURCE_DATE_EPOCH=${epoch} from the environment` };
  }
  const commit = gitLastCommit(templateDir);
  if (commit !== null) {
    return {
      epoch: commit,
      origin: 'git',
      note: `Dating outputs ${iso(commit)}: the last commit of the git repository holding ${templateDir} (set SOURCE_DATE_EPOCH to choose another date)`,
    };
  }
  const epoch = Math.floor(nowMs / 1000 / DAY) * DAY;
  return {
    epoch,
    origin: 'today',
    note: `Dating outputs ${iso(epoch)}: today at midnight UTC, as ${templateDir} is not in a git repository (set SOURCE_DATE_EPOCH to choose another date)`,
  };
}

/** `git log -1 --format=%ct` in `dir`; null outside a repository, without commits or without git. */
export function lastCommitTime(dir: string): number | null {
  const r = spawnSync('git', ['-C', dir, 'log', '-1', '--format=%ct'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  if (r.status !== 0 || typeof r.stdout !== 'string') return null;
  const out = r.stdout.trim();
  return /^\d+$/.test(out) ? Number(out) : null;
}

function iso(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');
}
