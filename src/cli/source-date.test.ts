// Where the outputs' date comes from: $SOURCE_DATE_EPOCH, else the template repository's
// last commit (a real git repository), else today's midnight UTC.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lastCommitTime, resolveSourceDate } from './source-date.js';

const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-source-date-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const COMMIT = 1714521600; // 2024-05-01T00:00:00Z
const NOW = Date.UTC(2026, 11, 4, 16, 47, 55);

function repoWithCommit(): string {
  const repo = path.join(work, 'repo');
  mkdirSync(path.join(repo, 'templates', 'web'), { recursive: true });
  writeFileSync(path.join(repo, 'templates', 'web', 'build.pkr.hcl'), '');
  const env = { ...process.env, GIT_AUTHOR_DATE: `${COMMIT - 3600} +0000`, GIT_COMMITTER_DATE: `${COMMIT} +0000`, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' };
  execFileSync('git', ['init', '-q', repo], { env });
  execFileSync('git', ['-C', repo, 'add', '.'], { env });
  execFileSync('git', ['-C', repo, 'commit', '-q', '-m', 'templates'], { env });
  return path.join(repo, 'templates', 'web');
}

describe('resolveSourceDate', () => {
  it('takes the commit time of the last commit of the repository holding the template', () => {
    const dir = repoWithCommit();
    expect(lastCommitTime(dir)).toBe(COMMIT);
    const d = resolveSourceDate({}, dir, NOW);
    expect(d).toMatchObject({ epoch: COMMIT, origin: 'git' });
    expect(d.note).toBe(`Dating outputs 2024-05-01T00:00:00Z: the last commit of the git repository holding ${dir} (set SOURCE_DATE_EPOCH to choose another date)`);
  });

  it('outside a repository, fixes today at midnight UTC', () => {
    const dir = path.join(work, 'plain');
    mkdirSync(dir);
    expect(lastCommitTime(dir)).toBeNull();
    const d = resolveSourceDate({ SOURCE_DATE_EPOCH: '' }, dir, NOW);
    expect(d).toMatchObject({ epoch: Date.UTC(2026, 11, 4) / 1000, origin: 'today' });
    expect(d.note).toMatch(/^Dating outputs 2026-12-04T00:00:00Z: today at midnight UTC, as .* is not in a git repository/);
  });

  it('SOURCE_DATE_EPOCH always wins, and a malformed one is an error naming it', () => {
    let asked = 0;
    const git = (): number => {
      asked++;
      return COMMIT;
    };
    expect(resolveSourceDate({ SOURCE_DATE_EPOCH: '1700000000' }, work, NOW, git)).toMatchObject({ epoch: 1700000000, origin: 'environment' });
    expect(resolveSourceDate({ SOURCE_DATE_EPOCH: '0' }, work, NOW, git)).toMatchObject({ epoch: 0, origin: 'environment' });
    expect(asked).toBe(0);
    expect(() => resolveSourceDate({ SOURCE_DATE_EPOCH: 'yesterday' }, work, NOW)).toThrow(/SOURCE_DATE_EPOCH=yesterday: not a whole number of seconds/);
  });
});
