// The outputs' date through the real CLI: a compress post-processor's archive (entries dated
// SOURCE_DATE_EPOCH) built from a template in a git repository, outside one, and with
// $SOURCE_DATE_EPOCH set; the build says which date it used and why.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';

const COMMIT = 1714521600; // 2024-05-01T00:00:00Z
let work: string;
let repoDir: string;
let plainDir: string;

const TEMPLATE = `source "null" "dated" {
  communicator = "none"
}

build {
  sources = ["source.null.dated"]
  post-processors {
    post-processor "checksum" {
      checksum_types = ["sha256"]
      output         = "sums.txt"
    }
    post-processor "compress" {
      output = "sums.tar.gz"
    }
  }
}
`;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'imgbuild-date-'));
  repoDir = path.join(work, 'repo');
  mkdirSync(repoDir);
  writeFileSync(path.join(repoDir, 'build.pkr.hcl'), TEMPLATE);
  const env = { ...process.env, GIT_AUTHOR_DATE: `${COMMIT} +0000`, GIT_COMMITTER_DATE: `${COMMIT} +0000`, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' };
  execFileSync('git', ['init', '-q', repoDir], { env });
  execFileSync('git', ['-C', repoDir, 'add', '.'], { env });
  execFileSync('git', ['-C', repoDir, 'commit', '-q', '-m', 'template'], { env });
  plainDir = path.join(work, 'plain');
  mkdirSync(plainDir);
  cpSync(path.join(repoDir, 'build.pkr.hcl'), path.join(plainDir, 'build.pkr.hcl'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The archive's entry times, as `tar` lists them in UTC. */
function entryTimes(dir: string): string[] {
  const out = execFileSync('tar', ['--full-time', '-tvzf', path.join(dir, 'sums.tar.gz')], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  return out.trim().split('\n').map((l) => l.split(/\s+/).slice(3, 5).join(' '));
}

test('in a git repository the outputs carry the last commit time, and the build says so', async () => {
  const r = await runCli(['build', '.'], { cwd: repoDir, env: { SOURCE_DATE_EPOCH: undefined } });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`==> null.dated: Dating outputs 2024-05-01T00:00:00Z: the last commit of the git repository holding ${repoDir}`);
  expect(entryTimes(repoDir)).toEqual(['2024-05-01 00:00:00']);
});

test("outside a repository they carry today's date at midnight UTC", async () => {
  const before = new Date().toISOString().slice(0, 10);
  const r = await runCli(['build', '.'], { cwd: plainDir, env: { SOURCE_DATE_EPOCH: undefined } });
  expect(r.code).toBe(0);
  // A run across midnight takes the day it started or the next.
  const today = r.stdout.includes(`Dating outputs ${before}`) ? before : new Date().toISOString().slice(0, 10);
  expect(r.stdout).toContain(`==> null.dated: Dating outputs ${today}T00:00:00Z: today at midnight UTC`);
  expect(entryTimes(plainDir)).toEqual([`${today} 00:00:00`]);
});

test('SOURCE_DATE_EPOCH wins over the repository', async () => {
  const r = await runCli(['build', '-force', '.'], { cwd: repoDir, env: { SOURCE_DATE_EPOCH: '1700000000' } });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Dating outputs 2023-11-14T22:13:20Z: SOURCE_DATE_EPOCH=1700000000 from the environment');
  expect(entryTimes(repoDir)).toEqual(['2023-11-14 22:13:20']);
});
