/* eslint-disable @typescript-eslint/require-await -- fakes implement async interfaces without awaiting */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { UNKNOWN } from './model/value.js';
import { prepareConfig } from './config.js';
import { CancelledError, DiagnosticsError } from './errors.js';
import { MemorySink } from './events.js';
import { runBuilds, type RunBuildsOptions } from './orchestrator.js';
import type { Artifact, Builder, PostProcessor } from './plugin.js';
import { PROVISION_STEP } from './plugin.js';
import { registerPlugin, validatePlan } from './registry.js';
import { build, plan, postProcessor, provisioner } from './testing.js';
import { registerBuiltins } from '../cli/plugins.js';

// The shipped null builder and shell-local plugins: the CLI registers them before a build.
beforeAll(() => registerBuiltins());

/** Dead or a zombie: this VM's PID 1 does not reap orphans promptly. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'imgbuild-orch-'));

function options(sink: MemorySink, extra: Partial<RunBuildsOptions> = {}): RunBuildsOptions {
  return {
    parallel: 0,
    onError: 'cleanup',
    debug: false,
    force: false,
    sink,
    signal: new AbortController().signal,
    journalDir: join(tmp(), 'journal'),
    ...extra,
  };
}

const shell = (inline: string[], meta: Parameters<typeof provisioner>[2] = {}) => provisioner('shell-local', { inline }, meta);

/* A builder whose one step records its run and cleanup, to see what the runner cleaned. */
const events: string[] = [];
const recBuilder: Builder<{ tag: string }> = {
  kind: 'builder',
  name: 'test-rec',
  configSchema: z.object({ tag: z.string() }),
  prepare: (raw) => prepareConfig(z.object({ tag: z.string().default('t') }), raw),
  communicatorType: () => 'none',
  steps: (c) => [
    {
      name: 'create',
      run: async () => void events.push(`create ${c.tag}`),
      cleanup: async () => void events.push(`remove ${c.tag}`),
    },
    PROVISION_STEP,
  ],
  artifact: (c) => fakeArtifact(`builder-${c.tag}`),
};
registerPlugin('builder', 'test-rec', async () => recBuilder);

const destroyed: string[] = [];
function fakeArtifact(id: string): Artifact {
  return { builderId: 'test', id, files: [], description: id, state: {}, destroy: async () => void destroyed.push(id) };
}
const ppSchema = z.object({ label: z.string(), keep: z.boolean().default(false), force: z.boolean().default(false), fail: z.boolean().default(false) });
const testPP: PostProcessor<z.output<typeof ppSchema>> = {
  kind: 'post-processor',
  name: 'test-pp',
  configSchema: ppSchema,
  prepare: (raw) => prepareConfig(ppSchema, raw),
  async process(_ctx, input, c) {
    if (c.fail) throw new Error(`${c.label} broke`);
    return { artifact: fakeArtifact(`${input.id}>${c.label}`), keepInput: c.keep, forceOverride: c.force };
  },
};
registerPlugin('post-processor', 'test-pp', async () => testPP);

describe('runBuilds with the null builder and shell-local', () => {
  it('runs provisioners in order with generated data, and reports the artifact', async () => {
    const dir = tmp();
    const out = join(dir, 'out.txt');
    const sink = new MemorySink();
    const p = plan([
      build('null', 'basic', { communicator: 'none' }, {
        provisioners: [
          provisioner('shell-local', (g) => ({ inline: [`echo "one ${String(g?.['ID'])} $PACKER_BUILD_NAME $PACKER_BUILDER_TYPE" >> ${out}`] })),
          shell([`echo two >> ${out}`, 'echo visible']),
        ],
      }),
    ]);
    const [r] = await runBuilds(p, options(sink, { runId: 'run-uuid-1' }));
    expect(r?.ok).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe('one Null basic null\ntwo\n');
    expect(sink.of('output').map((e) => e.line)).toContain('visible');
    expect(sink.of('step-end').filter((e) => e.step === 'shell-local').map((e) => e.ok)).toEqual([true, true]);
    expect(sink.of('artifact').map((a) => [a.builderId, a.id, a.description])).toEqual([
      ['fnoeding.null', 'Null', 'Did not export anything. This is the null builder'],
    ]);
    expect(sink.of('build-end')).toEqual([expect.objectContaining({ build: 'null.basic', ok: true })]);
  });

  it('lets other builds finish when one fails, with at most `parallel` at once', async () => {
    const sink = new MemorySink();
    const p = plan([
      build('null', 'a', {}, { provisioners: [shell(['sleep 0.2'])] }),
      build('null', 'b', {}, { provisioners: [shell(['exit 3'])] }),
      build('null', 'c', {}, { provisioners: [shell(['true'])] }),
    ]);
    const results = await runBuilds(p, options(sink, { parallel: 1 }));
    expect(results.map((r) => [r.name, r.ok])).toEqual([['null.a', true], ['null.b', false], ['null.c', true]]);
    expect(String((results[1]?.error as Error).message)).toContain('Erroneous exit code 3');
    // parallel 1: each build starts after the previous one ended.
    const order = sink.events.filter((e) => e.type === 'build-start' || e.type === 'build-end').map((e) => `${e.type} ${e.build}`);
    expect(order).toEqual(['build-start null.a', 'build-end null.a', 'build-start null.b', 'build-end null.b', 'build-start null.c', 'build-end null.c']);
  });

  it('-debug pauses before every step and runs builds one at a time', async () => {
    const sink = new MemorySink(() => '');
    const p = plan([build('null', 'd1', {}, { provisioners: [shell(['true'])] }), build('null', 'd2', {})]);
    const results = await runBuilds(p, options(sink, { debug: true, parallel: 0 }));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(sink.questions).toEqual([
      'Pausing before step "null". Press enter to continue.',
      'Pausing before step "provision". Press enter to continue.',
      'Pausing before step "null". Press enter to continue.',
      'Pausing before step "provision". Press enter to continue.',
    ]);
    const order = sink.events.filter((e) => e.type === 'build-start' || e.type === 'build-end').map((e) => e.type);
    expect(order).toEqual(['build-start', 'build-end', 'build-start', 'build-end']);
  });

  it('retries a failing provisioner max_retries times', async () => {
    const counter = join(tmp(), 'n');
    writeFileSync(counter, '');
    const p = plan([build('null', 'r', {}, { provisioners: [shell([`echo x >> ${counter}`, `[ $(wc -l < ${counter}) -ge 3 ]`], { maxRetries: 2 })] })]);
    const sink = new MemorySink();
    const [r] = await runBuilds(p, options(sink));
    expect(r?.ok).toBe(true);
    expect(readFileSync(counter, 'utf8')).toBe('x\nx\nx\n');
    expect(sink.of('message').filter((m) => m.text.includes('Retrying'))).toHaveLength(2);
  });

  it('aborts a provisioner at its timeout', async () => {
    const started = Date.now();
    const [r] = await runBuilds(plan([build('null', 't', {}, { provisioners: [shell(['sleep 20'], { timeoutMs: 300 })] })]), options(new MemorySink()));
    expect(r?.ok).toBe(false);
    expect((r?.error as Error).message).toBe('provisioner "shell-local" timed out after 300ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('on cancel kills the running script with its children, runs cleanups, and ends cancelled', async () => {
    const dir = tmp();
    const pidFile = join(dir, 'pid');
    events.length = 0;
    const ac = new AbortController();
    const sink = new MemorySink();
    setTimeout(() => ac.abort(new CancelledError('build cancelled by SIGINT')), 500);
    const [r] = await runBuilds(
      plan([build('test-rec', 'x', { tag: 'c1' }, { provisioners: [shell([`sleep 30 & echo $! > ${pidFile}`, 'wait'])] })]),
      options(sink, { signal: ac.signal }),
    );
    expect(r?.cancelled).toBe(true);
    expect(events).toEqual(['create c1', 'remove c1']);
    const bgPid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 200));
    expect(running(bgPid)).toBe(false);
    expect(sink.of('build-end')[0]).toEqual(expect.objectContaining({ ok: false, cancelled: true, error: 'build cancelled by SIGINT' }));
  });

  it('runs the error-cleanup-provisioner when provisioning fails, before the builder cleans up', async () => {
    const marker = join(tmp(), 'cleanup-ran');
    events.length = 0;
    const p = plan([
      build('test-rec', 'e', { tag: 'e1' }, {
        provisioners: [shell(['exit 1'])],
        errorCleanupProvisioner: shell([`echo ran > ${marker}`]),
      }),
    ]);
    const [r] = await runBuilds(p, options(new MemorySink()));
    expect(r?.ok).toBe(false);
    expect(existsSync(marker)).toBe(true);
    expect(events).toEqual(['create e1', 'remove e1']);
  });

  it('-on-error=run-cleanup-provisioner runs only the error-cleanup-provisioner and leaves the rest', async () => {
    const marker = join(tmp(), 'cleanup-ran');
    events.length = 0;
    const p = plan([
      build('test-rec', 'e', { tag: 'e2' }, { provisioners: [shell(['exit 1'])], errorCleanupProvisioner: shell([`touch ${marker}`]) }),
    ]);
    const [r] = await runBuilds(p, options(new MemorySink(), { onError: 'run-cleanup-provisioner' }));
    expect(r?.ok).toBe(false);
    expect(existsSync(marker)).toBe(true);
    expect(events).toEqual(['create e2']);
  });

  it('fails a provisioner whose config still holds a value unknown at build time', async () => {
    const [r] = await runBuilds(plan([build('null', 'u', {}, { provisioners: [provisioner('shell-local', { inline: [UNKNOWN] })] })]), options(new MemorySink()));
    expect(r?.ok).toBe(false);
    expect((r?.error as DiagnosticsError).diagnostics.map((d) => [d.summary, d.detail])).toEqual([
      ['Value not known at build time', 'The value of "inline[0]" depends on a build variable (build.*) that this builder does not provide.'],
    ]);
  });

  it('scrubs sensitive values from everything the sink sees', async () => {
    const sink = new MemorySink();
    const p = plan([build('null', 's', {}, { provisioners: [shell(['echo the password is hunter2', 'exit 2'])] })], { sensitiveValues: ['hunter2'] });
    await runBuilds(p, options(sink));
    expect(JSON.stringify(sink.events)).not.toContain('hunter2');
    expect(sink.of('output').map((e) => e.line)).toContain('the password is <sensitive>');
  });

  it('reports an unknown builder type at its label with a suggestion', async () => {
    const [r] = await runBuilds(plan([build('nul', 'x', {})]), options(new MemorySink()));
    expect(r?.error).toBeInstanceOf(DiagnosticsError);
    const d = (r?.error as DiagnosticsError).diagnostics[0];
    expect(d?.summary).toBe('Unknown builder type "nul"');
    expect(d?.detail).toMatch(/^Did you mean "null"\? imgbuild has these builders: .*"container".*"null"/);
  });
});

describe('post-processor chains (Packer semantics)', () => {
  const pp = (label: string, extra: Record<string, boolean> = {}, keepInput: boolean | null = null) =>
    postProcessor('test-pp', { label, ...extra }, keepInput);
  const run = async (chains: ReturnType<typeof pp>[][]) => {
    destroyed.length = 0;
    const sink = new MemorySink();
    const [r] = await runBuilds(plan([build('test-rec', 'p', { tag: 'k' }, { postProcessorChains: chains })]), options(sink));
    return { r, ids: r?.artifacts.map((a) => a.id), events: sink.of('artifact').map((a) => [a.index, a.id]) };
  };

  it('keeps the builder artifact when there are no post-processors', async () => {
    const { ids } = await run([]);
    expect(ids).toEqual(['builder-k']);
    expect(destroyed).toEqual([]);
  });

  it('destroys inputs nobody keeps; each chain starts from the builder artifact', async () => {
    const { ids, events } = await run([[pp('a'), pp('b')], [pp('c')]]);
    expect(ids).toEqual(['builder-k>a>b', 'builder-k>c']);
    expect(destroyed).toEqual(['builder-k>a', 'builder-k']);
    expect(events).toEqual([[0, 'builder-k>a>b'], [1, 'builder-k>c']]);
  });

  it('keep_input_artifact overrides the plugin, except when the plugin forces it', async () => {
    const { ids } = await run([[pp('a', {}, true), pp('b', { keep: true, force: true }, false)]]);
    expect(ids).toEqual(['builder-k', 'builder-k>a', 'builder-k>a>b']);
    expect(destroyed).toEqual([]);
    const second = await run([[pp('a', { keep: true }, false)]]);
    expect(second.ids).toEqual(['builder-k>a']);
    expect(destroyed).toEqual(['builder-k']);
  });

  it('a failing chain fails the build but the other chains still run', async () => {
    const { r } = await run([[pp('bad', { fail: true })], [pp('good')]]);
    expect(r?.ok).toBe(false);
    expect((r?.error as Error).message).toContain('post-processor "test-pp": bad broke');
    expect(destroyed).toContain('builder-k');
  });
});

describe('validatePlan', () => {
  it('prepares every block with run-time values unknown and reports every problem', async () => {
    const p = plan([
      build('null', 'v', { comunicator: 'none' }, {
        provisioners: [
          provisioner('shell-local', { inline: UNKNOWN, enviroment_vars: ['A=1'] }),
          provisioner('shel', { inline: ['x'] }),
        ],
        postProcessorChains: [[postProcessor('manifest', { output: UNKNOWN, strip_paths: true })]],
      }),
    ]);
    const diags = await validatePlan(p);
    expect(diags.map((d) => d.detail)).toEqual([
      'An argument named "comunicator" is not expected here. Did you mean "communicator"?',
      'An argument named "enviroment_vars" is not expected here. Did you mean "environment_vars"?',
      expect.stringContaining('Did you mean "shell"?'),
      'An argument named "strip_paths" is not expected here. Did you mean "strip_path"?',
    ]);
  });

  it('accepts a valid plan', async () => {
    const p = plan([build('null', 'ok', {}, { provisioners: [provisioner('shell-local', { inline: [UNKNOWN] })] })]);
    expect(await validatePlan(p)).toEqual([]);
  });
});
