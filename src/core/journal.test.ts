/* eslint-disable @typescript-eslint/require-await -- fakes implement async interfaces without awaiting */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunJournal, defaultJournalDir, readJournalRun } from './journal.js';
import { cleanupJournal, listJournal, removalOrder } from './journal-cleanup.js';
import { processHandle, registerResourceKind, registerResourceKindSource } from './journal-kinds.js';
import type { JournalEntry, RemoveContext } from './journal-types.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'imgbuild-journal-'));

function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}

function writeRun(dir: string, runId: string, pid: number, entries: { kind: string; handle: Record<string, string>; dependsOn?: string[] }[]): void {
  mkdirSync(dir, { recursive: true });
  const lines = [{ type: 'run', runId, pid, host: hostname(), startedAt: new Date().toISOString() }];
  entries.forEach((e, i) =>
    lines.push({
      type: 'record',
      entry: { id: `${runId}-${i}`, kind: e.kind, handle: e.handle, description: `${e.kind} ${i}`, build: 'b', runId, createdAt: '', ...(e.dependsOn ? { dependsOn: e.dependsOn } : {}) },
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
    expect(dry.wouldRemove.map((e) => e.kind)).toEqual(['process', 'path']);
    expect(dry.removed).toEqual([]);
    expect(existsSync(victim)).toBe(true);

    const report = await cleanupJournal(dir);
    expect(report.removed.map((r) => r.entry.kind)).toEqual(['process', 'path']);
    expect(report.removed.map((r) => r.outcome.removed)).toEqual([[`pid ${child.pid}`], [victim]]);
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

  it('keeps entries whose kind no plugin declares, and loads a declared kind only when one is met', async () => {
    const dir = tmp();
    writeRun(dir, 'r', deadPid(), [{ kind: 'test-widget', handle: { id: 'w1' } }]);
    const first = await cleanupJournal(dir);
    expect(first.failed[0]?.error).toBe('no plugin declares resource kind "test-widget" (is the plugin that created it installed?)');
    expect(readdirSync(dir)).toEqual(['r.jsonl']);
    const removed: string[] = [];
    let loads = 0;
    registerResourceKindSource({ names: ['test-gadget'], load: async () => [] });
    registerResourceKindSource({
      names: ['test-widget'],
      load: async () => {
        loads++;
        return [{ kind: 'test-widget', remove: async (e) => (removed.push(e.handle['id'] ?? ''), { removed: [e.handle['id'] ?? ''] }) }];
      },
    });
    expect(loads).toBe(0);
    const second = await cleanupJournal(dir);
    expect(second.failed).toEqual([]);
    expect(loads).toBe(1);
    expect(removed).toEqual(['w1']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps an entry recorded before its create call, and the id the answer brought', async () => {
    const dir = tmp();
    const j = await RunJournal.create(dir, 'cloud');
    const jb = j.forBuild('b');
    const pending = await jb.record('test-vm', { region: 'r1', clientToken: 'tok-1' }, 'temporary vm');
    expect(pending.handle).toEqual({ region: 'r1', clientToken: 'tok-1' });
    const completed = await jb.complete(pending, { id: 'vm-9' });
    expect(completed.handle).toEqual({ region: 'r1', clientToken: 'tok-1', id: 'vm-9' });
    expect(j.unstruck()[0]?.handle['id']).toBe('vm-9');
    // What a fresh process reads back after this one was killed.
    const run = await readJournalRun(j.file);
    expect(run?.open.map((e) => e.handle)).toEqual([{ region: 'r1', clientToken: 'tok-1', id: 'vm-9' }]);
    await jb.strike(completed);
    await j.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes a resource before the ones it uses, and keeps those when it cannot be removed', async () => {
    const dir = tmp();
    // Recorded: key, group, instance (uses both), then a volume recorded last that the
    // instance does not use, and a bucket the volume uses although it was recorded first.
    writeRun(dir, 'deps', deadPid(), [
      { kind: 'test-bucket', handle: { id: 'b' } },
      { kind: 'test-key', handle: { id: 'k' } },
      { kind: 'test-group', handle: { id: 'g' } },
      { kind: 'test-instance', handle: { id: 'i' }, dependsOn: ['deps-1', 'deps-2'] },
      { kind: 'test-volume', handle: { id: 'v' }, dependsOn: ['deps-0'] },
    ]);
    const order: string[] = [];
    let instanceFails = true;
    const kind = (name: string): void =>
      registerResourceKind({
        kind: name,
        remove: async (e) => {
          if (name === 'test-instance' && instanceFails) throw new Error('ec2:TerminateInstances: UnauthorizedOperation');
          order.push(e.handle['id'] ?? '');
          return { removed: [e.handle['id'] ?? ''] };
        },
      });
    ['test-bucket', 'test-key', 'test-group', 'test-instance', 'test-volume'].forEach(kind);

    const first = await cleanupJournal(dir);
    expect(order).toEqual(['v', 'b']);
    expect(first.failed.map((f) => [f.entry.kind, f.error])).toEqual([
      ['test-instance', 'ec2:TerminateInstances: UnauthorizedOperation'],
      ['test-group', 'kept: test-instance test-instance 3 still uses it and could not be removed'],
      ['test-key', 'kept: test-instance test-instance 3 still uses it and could not be removed'],
    ]);
    instanceFails = false;
    const second = await cleanupJournal(dir);
    expect(second.failed).toEqual([]);
    expect(order).toEqual(['v', 'b', 'i', 'g', 'k']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('orders newest first where nothing depends on anything', () => {
    const e = (id: string, dependsOn?: string[]): JournalEntry => ({ id, kind: 'k', handle: {}, description: id, build: 'b', runId: 'r', createdAt: '', ...(dependsOn ? { dependsOn } : {}) });
    expect(removalOrder([e('a'), e('b'), e('c')]).map((x) => x.id)).toEqual(['c', 'b', 'a']);
    expect(removalOrder([e('a'), e('b', ['c']), e('c')]).map((x) => x.id)).toEqual(['b', 'c', 'a']);
  });

  it('gives every remover of a cleanup the same client for the same key', async () => {
    const dir = tmp();
    writeRun(dir, 'clients', deadPid(), [
      { kind: 'test-client', handle: { region: 'r1' } },
      { kind: 'test-client', handle: { region: 'r1' } },
      { kind: 'test-client', handle: { region: 'r2' } },
    ]);
    let created = 0;
    const seen: object[] = [];
    registerResourceKind({
      kind: 'test-client',
      remove: async (entry, ctx: RemoveContext) => {
        seen.push(await ctx.client(`test ${entry.handle['region']}`, () => ({ n: ++created })));
        return { removed: [] };
      },
    });
    await cleanupJournal(dir);
    expect(created).toBe(2);
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen[1]).toBe(seen[2]);
  });
});
