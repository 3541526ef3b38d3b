/* eslint-disable @typescript-eslint/require-await -- fakes implement async interfaces without awaiting */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunJournal, cleanupJournal, defaultJournalDir, listJournal, processHandle, registerResourceKind } from './journal.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'imgbuild-journal-'));

function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}

function writeRun(dir: string, runId: string, pid: number, entries: { kind: string; handle: Record<string, string> }[]): void {
  mkdirSync(dir, { recursive: true });
  const lines = [{ type: 'run', runId, pid, host: hostname(), startedAt: new Date().toISOString() }];
  entries.forEach((e, i) =>
    lines.push({
      type: 'record',
      entry: { id: `${runId}-${i}`, kind: e.kind, handle: e.handle, description: `${e.kind} ${i}`, build: 'b', runId, createdAt: '' },
    } as never),
  );
  writeFileSync(join(dir, `${runId}.jsonl`), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

describe('journal', () => {
  it('defaults under IMGBUILD_STATE_DIR, then XDG_STATE_HOME, then ~/.local/state', () => {
    expect(defaultJournalDir({ IMGBUILD_STATE_DIR: '/s' })).toBe('/s/journal');
    expect(defaultJournalDir({ XDG_STATE_HOME: '/x' })).toBe('/x/imgbuild/journal');
    expect(defaultJournalDir({})).toMatch(/\.local\/state\/imgbuild\/journal$/);
  });

  it('deletes the run file when every entry was struck', async () => {
    const dir = tmp();
    const j = await RunJournal.create(dir, 'run1');
    const jb = j.forBuild('b');
    const e1 = await jb.record('path', { path: '/nonexistent' }, 'x');
    const e2 = await jb.record('path', { path: '/nonexistent2' }, 'y');
    await jb.strike(e1);
    expect(j.unstruck().map((e) => e.id)).toEqual([e2.id]);
    await jb.strike(e2);
    await j.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('cleanup removes paths and kills processes of dead runs, newest first, and leaves live runs alone', async () => {
    const dir = tmp();
    const victim = join(dir, '..', `victim-${Date.now()}`);
    mkdirSync(join(victim, 'deep'), { recursive: true });
    const child = spawn('sleep', ['100'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    writeRun(dir, 'dead', deadPid(), [
      { kind: 'path', handle: { path: victim } },
      { kind: 'process', handle: { pid: String(child.pid), group: 'true' } },
    ]);
    const live = spawn('sleep', ['100'], { stdio: 'ignore' });
    writeRun(dir, 'live', live.pid ?? 0, [{ kind: 'path', handle: { path: '/tmp/should-stay' } }]);

    const dry = await cleanupJournal(dir, { dryRun: true });
    expect(dry.removed.map((e) => e.kind)).toEqual(['process', 'path']);
    expect(existsSync(victim)).toBe(true);

    const report = await cleanupJournal(dir);
    expect(report.removed.map((e) => e.kind)).toEqual(['process', 'path']);
    expect(report.skippedRuns.map((r) => r.runId)).toEqual(['live']);
    expect(report.finishedRuns).toEqual(['dead']);
    await exited;
    expect(existsSync(victim)).toBe(false);
    expect(readdirSync(dir)).toEqual(['live.jsonl']);
    expect((await listJournal(dir)).map((r) => [r.runId, r.alive])).toEqual([['live', true]]);
    live.kill();
  });

  it('never signals a process that took a recorded pid later (start time differs)', async () => {
    const dir = tmp();
    const ours = spawn('sleep', ['100'], { stdio: 'ignore' });
    const stranger = spawn('sleep', ['100'], { stdio: 'ignore' });
    const oursExited = new Promise((r) => ours.on('exit', r));
    const handle = await processHandle(ours.pid ?? 0);
    expect(handle['start']).toMatch(/^\d+$/);
    // The stranger's pid with a start time that is not its own: what a reused pid looks like.
    writeRun(dir, 'old', deadPid(), [
      { kind: 'process', handle },
      { kind: 'process', handle: { pid: String(stranger.pid), start: '1' } },
    ]);
    const report = await cleanupJournal(dir);
    expect(report.failed).toEqual([]);
    await oursExited;
    expect(stranger.exitCode).toBeNull();
    expect(stranger.kill(0)).toBe(true);
    stranger.kill();
  });

  it('keeps entries whose kind has no handler and loads plugins to find one', async () => {
    const dir = tmp();
    writeRun(dir, 'r', deadPid(), [{ kind: 'test-widget', handle: { id: 'w1' } }]);
    const first = await cleanupJournal(dir);
    expect(first.failed[0]?.error).toContain('no handler for resource kind "test-widget"');
    expect(readdirSync(dir)).toEqual(['r.jsonl']);
    const removed: string[] = [];
    const second = await cleanupJournal(dir, {
      loadKinds: async () =>
        registerResourceKind({
          kind: 'test-widget',
          remove: async (h) => {
            removed.push(h['id'] ?? '');
          },
        }),
    });
    expect(second.failed).toEqual([]);
    expect(removed).toEqual(['w1']);
    expect(readdirSync(dir)).toEqual([]);
  });
});
