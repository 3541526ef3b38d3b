// The per-provisioner layering against a fake driver: what is journaled, mounted, started,
// committed and torn down, without runc or overlayfs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemorySink, makeUi } from '../../src/core/events.js';
import type { Journal, JournalEntry } from '../../src/core/journal-types.js';
import type { ProvisionerRun, StepContext } from '../../src/core/plugin.js';
import { StateBag } from '../../src/core/state.js';
import type { ContainerSpec, RuntimeContainer } from '../../src/runtime/types.js';
import { prepareContainer, type ContainerBuildConfig } from './config.js';
import type { ContainerDriver } from './driver.js';
import { describeRun, LayerSession, LayerStack } from './layers.js';
import { rawConfig } from '../../src/core/testing.js';

const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-layers-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

class FakeJournal implements Journal {
  readonly open = new Map<string, JournalEntry>();
  readonly log: string[] = [];
  record(kind: string, handle: Record<string, string>, description: string): Promise<JournalEntry> {
    const e: JournalEntry = { id: String(this.log.length), kind, handle, description, build: 'b', runId: 'r', createdAt: '' };
    this.open.set(e.id, e);
    this.log.push(`record ${kind}`);
    return Promise.resolve(e);
  }
  complete(e: JournalEntry): Promise<JournalEntry> {
    return Promise.resolve(e);
  }
  strike(e: JournalEntry): Promise<void> {
    this.open.delete(e.id);
    this.log.push(`strike ${e.kind}`);
    return Promise.resolve();
  }
}

/** Mounting "binds" the upper as the merged dir, so provisioner writes land in the upper. */
function fakeDriver(calls: string[]): ContainerDriver {
  const uppers = new Map<string, string>();
  return {
    cacheDir: work,
    resolveBase: () => Promise.reject(new Error('unused')),
    extractLayer: () => Promise.reject(new Error('unused')),
    mountOverlay(m) {
      calls.push(`mount lowers=${m.lowerdirs.map((l) => path.basename(path.dirname(l)) + '/' + path.basename(l)).join(':')}`);
      uppers.set(m.target, m.upper);
      return Promise.resolve();
    },
    unmount(target) {
      calls.push('unmount');
      uppers.delete(target);
      return Promise.resolve();
    },
    runtime: () => ({ name: 'runc', check: () => Promise.resolve(), create: () => Promise.reject(new Error('unused')), remove: () => Promise.resolve() }),
    createContainer(_rt, spec: ContainerSpec): Promise<RuntimeContainer> {
      calls.push(`create ${spec.network} env=${spec.env.join(',')}`);
      return Promise.resolve({ id: spec.id, runtime: 'runc', exec: () => Promise.resolve({ exitCode: 0 }), destroy: () => Promise.resolve(void calls.push('destroy')) });
    },
    writeLayer(dir, opts) {
      calls.push(`writeLayer exclude=${opts.exclude.join(',')}`);
      return Promise.resolve({ diffId: `sha256:${'d'.repeat(64)}`, digest: `sha256:${'b'.repeat(64)}`, size: 1, path: dir, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', diffSize: 1 } as const);
    },
    exportImage: () => Promise.reject(new Error('unused')),
    exportTree: () => Promise.reject(new Error('unused')),
  };
}

function setup(values: Record<string, never> | object = {}): { session: LayerSession; stack: LayerStack; calls: string[]; journal: FakeJournal; ctx: StepContext; base: string } {
  const base = path.join(work, `base${++n}`);
  mkdirSync(path.join(base, 'etc'), { recursive: true });
  mkdirSync(path.join(base, 'tmp'), { recursive: true, mode: 0o1777 });
  const buildDir = path.join(work, `build${n}`);
  mkdirSync(buildDir);
  const p = prepareContainer(rawConfig({ image: 'scratch', output: 'oci:/o', ...values }), { templateDir: work, sourceFullName: 'container.app', buildName: '' });
  const config = p.config as ContainerBuildConfig;
  const calls: string[] = [];
  const journal = new FakeJournal();
  const stack = new LayerStack([base]);
  const session = new LayerSession({ config, driver: fakeDriver(calls), buildDir, sourceDateEpoch: 0, stack, env: ['A=1'], user: undefined, workdir: undefined });
  const ctx: StepContext = {
    state: new StateBag(),
    signal: new AbortController().signal,
    ui: makeUi('container.app', new MemorySink()),
    journal,
    build: { buildName: '', sourceFullName: 'container.app', sourceType: 'container', sourceName: 'app', runId: 'run-1234', templateDir: work },
  };
  return { session, stack, calls, journal, ctx, base };
}

const run = (label: string, config: unknown = { inline: ['echo hi'] }, type = 'shell'): ProvisionerRun => ({ index: 0, type, label, config, plugin: {} as never });

describe('layer session', () => {
  it('commits each provisioner as a layer whose upper becomes the next lower, journaling mount and container', async () => {
    const { session, stack, calls, journal, ctx, base } = setup({ exclude: ['var/cache/*'] });
    await session.before(run('shell'), ctx);
    await session.comm.exec('touch /x');
    // The provisioner's change, as the overlay would have put it in the upper dir.
    const upper = path.join(work, `build${n}`, 'step-1', 'upper');
    writeFileSync(path.join(upper, 'made'), 'x');
    await session.after(run('shell'), ctx);
    expect(stack.entries.map((e) => [e.createdBy, e.layer?.diffId.slice(0, 8)])).toEqual([['imgbuild shell: echo hi', 'sha256:d']]);
    expect(stack.lowers).toEqual([upper, base]);
    await session.before(run('second'), ctx);
    await session.after(run('second'), ctx);
    expect(calls).toEqual([
      `mount lowers=${path.basename(work)}/${path.basename(base)}`,
      'create host env=A=1',
      'destroy',
      'unmount',
      'writeLayer exclude=var/cache/*',
      `mount lowers=step-1/upper:${path.basename(work)}/${path.basename(base)}`,
      'unmount',
    ]);
    // The second provisioner changed nothing: an empty_layer history entry, no blob.
    expect(stack.entries[1]).toEqual({ createdBy: 'imgbuild shell: second', layer: null });
    expect(journal.open.size).toBe(0);
    expect(journal.log).toEqual(['record mount', 'record runc-container', 'strike runc-container', 'strike mount', 'record mount', 'strike mount']);
  });

  it('tears down the container and the mount of a provisioner that failed', async () => {
    const { session, calls, journal, ctx } = setup();
    await session.before(run('shell'), ctx);
    await session.comm.exec('false');
    await session.teardown(ctx); // what the step cleanup does after a failure
    await session.teardown(ctx); // and again: nothing left, nothing done
    expect(calls.slice(1)).toEqual(['create host env=A=1', 'destroy', 'unmount']);
    expect(journal.open.size).toBe(0);
  });

  it('removes runtime mount points it created and copied-up dirs that did not change', async () => {
    const { session, stack, ctx } = setup();
    await session.before(run('shell'), ctx);
    const upper = path.join(work, `build${n}`, 'step-1', 'upper');
    // What runc leaves when the image has no /etc/hosts, and a script dropped in /tmp.
    mkdirSync(path.join(upper, 'etc'));
    writeFileSync(path.join(upper, 'etc/hosts'), '');
    mkdirSync(path.join(upper, 'tmp'), { mode: 0o1777 });
    await session.after(run('shell'), ctx);
    expect(existsSync(path.join(upper, 'etc'))).toBe(false);
    expect(stack.entries[0]?.layer).toBeNull();
  });

  it('with squash, writes every provisioner into one upper and one layer', async () => {
    const { session, stack, calls, ctx } = setup({ squash: true });
    for (const label of ['one', 'two']) {
      await session.before(run(label), ctx);
      writeFileSync(path.join(work, `build${n}`, 'squash-upper', label), label);
      await session.after(run(label), ctx);
    }
    await session.finish();
    expect(calls.filter((c) => c.startsWith('writeLayer'))).toHaveLength(1);
    expect(stack.entries.map((e) => e.createdBy)).toEqual(['imgbuild squash: imgbuild shell: one; imgbuild shell: two']);
  });

  it('names history entries after the provisioner', () => {
    expect(describeRun(run('shell', { inline: ['', '  apt-get install -y hello  ', 'x'] }))).toBe('imgbuild shell: apt-get install -y hello');
    expect(describeRun(run('install tools'))).toBe('imgbuild shell: install tools');
    expect(describeRun(run('file', { sources: ['/a/b/site'], destination: '/srv', content: null }, 'file'))).toBe('imgbuild file: site -> /srv');
  });
});
