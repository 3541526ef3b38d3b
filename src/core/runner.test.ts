/* eslint-disable @typescript-eslint/require-await -- fakes implement async interfaces without awaiting */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildError, CancelledError } from './errors.js';
import { MemorySink, makeUi } from './events.js';
import { RunJournal } from './journal.js';
import { cleanupJournal } from './journal-cleanup.js';
import type { Step, StepContext } from './plugin.js';
import { BUILD_ERROR, runSteps } from './runner.js';
import { StateBag } from './state.js';

function context(sink: MemorySink, journal: RunJournal, signal = new AbortController().signal): StepContext {
  return {
    state: new StateBag(),
    signal,
    ui: makeUi('null.test', sink),
    journal: journal.forBuild('null.test'),
    build: { buildName: '', sourceFullName: 'null.test', sourceType: 'null', sourceName: 'test', runId: 'r', templateDir: '.' },
  };
}

function recorder(log: string[]) {
  return (name: string, opts: { fail?: boolean; failCleanup?: boolean; noCleanup?: boolean; onRun?: (ctx: StepContext) => Promise<void> } = {}): Step => {
    const step: Step = {
      name,
      async run(ctx) {
        log.push(`run ${name}`);
        if (opts.onRun) await opts.onRun(ctx);
        if (opts.fail) throw new BuildError(`${name} failed`);
      },
    };
    if (!opts.noCleanup) {
      step.cleanup = async () => {
        log.push(`cleanup ${name}`);
        if (opts.failCleanup) throw new BuildError(`cleanup of ${name} failed`);
      };
    }
    return step;
  };
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'imgbuild-runner-'));

describe('runSteps', () => {
  let dir: string;
  let journal: RunJournal;
  beforeEach(async () => {
    dir = tmp();
    journal = await RunJournal.create(join(dir, 'journal'), `run-${Date.now()}-${Math.random()}`);
  });

  it('runs steps in order and cleans up in reverse on success', async () => {
    const log: string[] = [];
    const s = recorder(log);
    const sink = new MemorySink();
    await runSteps([s('a'), s('b', { noCleanup: true }), s('c')], context(sink, journal));
    expect(log).toEqual(['run a', 'run b', 'run c', 'cleanup c', 'cleanup a']);
    expect(sink.of('step-end').map((e) => [e.step, e.ok])).toEqual([['a', true], ['b', true], ['c', true]]);
    expect(sink.of('cleanup').map((e) => e.step)).toEqual(['c', 'a']);
  });

  it('cleans up the failing step and everything before it, in reverse, then throws', async () => {
    const log: string[] = [];
    const s = recorder(log);
    const ctx = context(new MemorySink(), journal);
    await expect(runSteps([s('a'), s('b', { fail: true }), s('c')], ctx)).rejects.toThrow('b failed');
    expect(log).toEqual(['run a', 'run b', 'cleanup b', 'cleanup a']);
    expect(ctx.state.get(BUILD_ERROR)).toBeInstanceOf(BuildError);
  });

  it('reports a failing cleanup without hiding the original error', async () => {
    const log: string[] = [];
    const s = recorder(log);
    const sink = new MemorySink();
    await expect(runSteps([s('a'), s('b', { failCleanup: true }), s('c', { fail: true })], context(sink, journal))).rejects.toThrow(
      'c failed',
    );
    expect(log).toEqual(['run a', 'run b', 'run c', 'cleanup c', 'cleanup b', 'cleanup a']);
    expect(sink.of('cleanup').map((e) => [e.step, e.ok, e.error])).toEqual([
      ['c', true, undefined],
      ['b', false, 'cleanup of b failed'],
      ['a', true, undefined],
    ]);
  });

  it('on abort signal: the running step sees it, cleanups run with a live signal, the build is cancelled', async () => {
    const log: string[] = [];
    const s = recorder(log);
    const ac = new AbortController();
    let cleanupSignalAborted: boolean | undefined;
    const slow: Step = {
      name: 'slow',
      run: (ctx) =>
        new Promise((_resolve, reject) => {
          log.push('run slow');
          ctx.signal.addEventListener('abort', () => reject(new BuildError('interrupted')));
          setTimeout(() => ac.abort(), 20);
        }),
      async cleanup(ctx) {
        cleanupSignalAborted = ctx.signal.aborted;
        log.push('cleanup slow');
      },
    };
    const err = await runSteps([s('a'), slow, s('never')], context(new MemorySink(), journal, ac.signal)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(log).toEqual(['run a', 'run slow', 'cleanup slow', 'cleanup a']);
    expect(cleanupSignalAborted).toBe(false);
  });

  it('on abort, a step that never stops is given up after the grace period and the cleanups still run', async () => {
    const log: string[] = [];
    const s = recorder(log);
    const ac = new AbortController();
    const sink = new MemorySink();
    const stuck: Step = {
      name: 'stuck',
      // Ignores the signal and never settles, like a request on a dead connection.
      run: () => {
        log.push('run stuck');
        setTimeout(() => ac.abort(), 10);
        return new Promise<void>(() => undefined);
      },
      async cleanup() {
        log.push('cleanup stuck');
      },
    };
    const err = await runSteps([s('a'), stuck, s('never')], context(sink, journal, ac.signal), { abortGraceMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(log).toEqual(['run a', 'run stuck', 'cleanup stuck', 'cleanup a']);
    expect(JSON.stringify(sink.events)).toContain('step \\"stuck\\" did not stop within 0 s of the cancel; cleaning up without it');
  });

  it('-on-error=abort leaves resources and journal entries; cleanupJournal removes them', async () => {
    const made = join(dir, 'resource');
    const create: Step = {
      name: 'create',
      async run(ctx) {
        const entry = await ctx.journal.record('path', { path: made }, 'temp dir');
        mkdirSync(made);
        ctx.state.set(ENTRY, entry);
      },
      async cleanup() {
        throw new Error('must not run');
      },
    };
    const sink = new MemorySink();
    const log: string[] = [];
    await expect(
      runSteps([create, recorder(log)('boom', { fail: true })], context(sink, journal), { onError: 'abort' }),
    ).rejects.toThrow('boom failed');
    expect(log).toEqual(['run boom']);
    expect(existsSync(made)).toBe(true);
    expect(sink.of('message').some((m) => m.level === 'warn' && m.text.includes('imgbuild cleanup'))).toBe(true);
    await journal.close();
    expect(readdirSync(join(dir, 'journal'))).toHaveLength(1);
    expect(readFileSync(journal.file, 'utf8')).toContain(made);

    const report = await cleanupJournal(join(dir, 'journal'));
    expect(report.removed.map((r) => r.entry.handle['path'])).toEqual([made]);
    expect(report.removed[0]?.outcome).toEqual({ removed: [made] });
    expect(report.failed).toEqual([]);
    expect(existsSync(made)).toBe(false);
    expect(readdirSync(join(dir, 'journal'))).toHaveLength(0);
  });

  it('-on-error=ask retries the failed step, then cleans up on [c]', async () => {
    const log: string[] = [];
    let tries = 0;
    const flaky: Step = {
      name: 'flaky',
      async run() {
        log.push('run flaky');
        if (++tries < 3) throw new BuildError('not yet');
      },
    };
    const sink = new MemorySink(['r', 'r']);
    await runSteps([flaky], context(sink, journal), { onError: 'ask' });
    expect(tries).toBe(3);
    expect(sink.questions[0]).toContain('Step "flaky" failed: not yet');

    const sink2 = new MemorySink(['c']);
    const s = recorder(log);
    await expect(runSteps([s('x'), s('bad', { fail: true })], context(sink2, journal), { onError: 'ask' })).rejects.toThrow('bad failed');
    expect(log.slice(-2)).toEqual(['cleanup bad', 'cleanup x']);
  });

  it('-on-error=ask answered [a] leaves everything', async () => {
    const log: string[] = [];
    const s = recorder(log);
    await expect(
      runSteps([s('x'), s('bad', { fail: true })], context(new MemorySink(['a']), journal), { onError: 'ask' }),
    ).rejects.toThrow('bad failed');
    expect(log).toEqual(['run x', 'run bad']);
  });

  it('-debug pauses before each step', async () => {
    const log: string[] = [];
    const s = recorder(log);
    const sink = new MemorySink(() => '');
    await runSteps([s('a'), s('b')], context(sink, journal), { debug: true });
    expect(sink.questions).toEqual([
      'Pausing before step "a". Press enter to continue.',
      'Pausing before step "b". Press enter to continue.',
    ]);
  });
});

import { StateKey } from './state.js';
import type { JournalEntry } from './journal-types.js';
const ENTRY = new StateKey<JournalEntry>('entry');
