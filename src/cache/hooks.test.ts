/* eslint-disable @typescript-eslint/require-await -- fakes implement async interfaces without awaiting */
// StepCacheHooks against a fake builder target (layers written to a real blob store) and a
// fake provisioner: what runs, what is skipped, and how the chain continues.
import { join } from 'node:path';
import { z } from 'zod';
import { MemorySink, makeUi } from '../core/events.js';
import { RunJournal } from '../core/journal.js';
import type { ProvisionHooks, ProvisionerRun, Provisioner, StepContext } from '../core/plugin.js';
import { StateBag } from '../core/state.js';
import { BlobStore } from '../oci/blob-store.js';
import { writeLayerFromDir } from '../oci/layer-writer.js';
import { tempDir, writeTree } from '../oci/test-util.js';
import type { CachedLayer } from './entry.js';
import { StepCacheHooks, type CacheAwareRun, type LayerCacheTarget } from './hooks.js';
import { baseChain } from './key.js';
import type { CacheSettings } from './settings.js';

let tmp: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  tmp = await tempDir('imgbuild-cache-hooks-');
});
afterEach(async () => tmp.cleanup());

/** A provisioner without cacheInputs, as shell-local: it may act outside the image. */
const withoutInputs: Provisioner<unknown> = {
  kind: 'provisioner',
  name: 'fake',
  configSchema: z.unknown(),
  prepare: () => ({ config: null, warnings: [], errors: [] }),
  provision: async () => undefined,
};
const plugin: Provisioner<unknown> = {
  ...withoutInputs,
  cacheInputs: async (config) => ((config as { hostSideEffect?: boolean }).hostSideEffect ? null : {}),
};

/** Records what the cache asked of the builder; a "run" writes the step's content as a layer. */
class FakeBuilder implements LayerCacheTarget, ProvisionHooks {
  readonly log: string[] = [];
  private last: CachedLayer | null = null;
  constructor(private readonly cacheDir: string) {}
  async before(run: ProvisionerRun): Promise<'run' | 'skip'> {
    this.log.push(`run ${run.label}`);
    return 'run';
  }
  async after(run: ProvisionerRun): Promise<void> {
    const content = (run.config as { writes: string | null }).writes;
    if (content === null) {
      this.last = null;
      return;
    }
    const dir = join(this.cacheDir, 'trees', `${run.label}-${this.log.length}`);
    await writeTree(dir, { [`etc/${run.label}`]: content });
    const l = await writeLayerFromDir(dir, { sourceDateEpoch: 0, compression: 'gzip', store: new BlobStore(this.cacheDir) });
    this.last = { mediaType: l.mediaType, digest: l.digest, size: l.size, diffId: l.diffId };
  }
  async applyCached(layer: CachedLayer | null, run: ProvisionerRun): Promise<void> {
    this.log.push(`cached ${run.label} ${layer === null ? 'empty' : 'layer'}`);
  }
  lastCommitted(): CachedLayer | null {
    return this.last;
  }
  describe(run: ProvisionerRun): string {
    return `fake: ${run.label}`;
  }
}

interface Harness {
  builder: FakeBuilder;
  sink: MemorySink;
  /** Runs the steps as the core does; returns what each before() answered. */
  build(steps: Array<{ label: string; writes: string | null; cache?: boolean; hostSideEffect?: boolean; noInputs?: boolean }>): Promise<string[]>;
}

async function harness(settings: Partial<CacheSettings> = {}): Promise<Harness> {
  const cacheDir = join(tmp.path, 'cache');
  const builder = new FakeBuilder(cacheDir);
  const sink = new MemorySink();
  const journal = await RunJournal.create(join(tmp.path, 'journal'), 'r');
  const ctx: StepContext = {
    state: new StateBag(),
    signal: new AbortController().signal,
    ui: makeUi('fake.test', sink),
    journal: journal.forBuild('fake.test'),
    build: { buildName: '', sourceFullName: 'fake.test', sourceType: 'fake', sourceName: 'test', runId: 'r', templateDir: tmp.path },
  };
  const hooks = new StepCacheHooks(builder, builder, {
    settings: { cacheDir, disabled: false, from: [], to: null, ...settings },
    base: baseChain({ base: 'one' }),
    builder: { user: null },
    templateDir: tmp.path,
    sensitiveValues: [],
    disabledReason: null,
  });
  return {
    builder,
    sink,
    async build(steps) {
      const answers: string[] = [];
      for (const [index, s] of steps.entries()) {
        const run: CacheAwareRun = { index, type: 'fake', label: s.label, config: { writes: s.writes, hostSideEffect: s.hostSideEffect === true }, plugin: s.noInputs === true ? withoutInputs : plugin };
        if (s.cache === false) run.cacheEnabled = false;
        const a = await hooks.before(run, ctx);
        answers.push(a);
        if (a === 'run') await hooks.after(run, ctx);
      }
      return answers;
    },
  };
}

const STEPS = [
  { label: 'a', writes: 'A' },
  { label: 'b', writes: null },
  { label: 'c', writes: 'C' },
];

describe('StepCacheHooks', () => {
  it('runs every step once, then skips them all and hands the stored layers to the builder', async () => {
    expect(await (await harness()).build(STEPS)).toEqual(['run', 'run', 'run']);
    const second = await harness();
    expect(await second.build(STEPS)).toEqual(['skip', 'skip', 'skip']);
    expect(second.builder.log).toEqual(['cached a layer', 'cached b empty', 'cached c layer']);
  });

  it('re-runs a changed step and every step after it', async () => {
    await (await harness()).build(STEPS);
    const changed = [STEPS[0]!, { label: 'b', writes: 'B' }, STEPS[2]!];
    expect(await (await harness()).build(changed)).toEqual(['skip', 'run', 'run']);
  });

  it('--no-cache looks nothing up but stores results', async () => {
    await (await harness()).build(STEPS);
    expect(await (await harness({ disabled: true })).build(STEPS)).toEqual(['run', 'run', 'run']);
    expect(await (await harness()).build(STEPS)).toEqual(['skip', 'skip', 'skip']);
  });

  it('cache = false always runs; the next step hits only while it makes the same layer', async () => {
    const steps = [STEPS[0]!, { label: 'b', writes: 'B', cache: false }, STEPS[2]!];
    await (await harness()).build(steps);
    expect(await (await harness()).build(steps)).toEqual(['skip', 'run', 'skip']);
    const other = [STEPS[0]!, { label: 'b', writes: 'B2', cache: false }, STEPS[2]!];
    expect(await (await harness()).build(other)).toEqual(['skip', 'run', 'run']);
  });

  it('never skips a provisioner without cacheInputs, or one whose cacheInputs says null', async () => {
    const steps = [STEPS[0]!, { label: 'b', writes: null, hostSideEffect: true }, { label: 'c', writes: null, noInputs: true }, { label: 'd', writes: 'D' }];
    await (await harness()).build(steps);
    expect(await (await harness()).build(steps)).toEqual(['skip', 'run', 'run', 'skip']);
  });

  it('a shared cache that cannot be reached is a warning and a miss, not a failure', async () => {
    const h = await harness({ from: ['127.0.0.1:9/cache'] });
    expect(await h.build([STEPS[0]!])).toEqual(['run']);
    expect(h.sink.events.some((e) => e.type === 'message' && e.level === 'warn' && e.text.includes('127.0.0.1:9/cache'))).toBe(true);
  });
});
