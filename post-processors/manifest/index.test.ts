import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySink, makeUi } from '../../src/core/events.js';
import { RunJournal } from '../../src/core/journal.js';
import type { Artifact, PostProcessContext } from '../../src/core/plugin.js';
import { lineOf, rawConfig } from '../../src/core/testing.js';
import type { ValueObject } from '../../src/core/model/value.js';
import { manifestPostProcessor } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'imgbuild-manifest-'));

async function ppCtx(name: string, type: string, runId: string): Promise<PostProcessContext> {
  const journal = await RunJournal.create(join(dir, 'journal'), runId);
  return {
    signal: new AbortController().signal,
    ui: makeUi(`${type}.${name}`, new MemorySink()),
    journal: journal.forBuild('b'),
    build: { buildName: '', sourceFullName: `${type}.${name}`, sourceType: type, sourceName: name, runId, templateDir: dir },
    generated: { PackerRunUUID: runId },
  };
}

const artifact = (id: string, files: string[]): Artifact => ({
  builderId: 'x', id, files, description: id, state: {}, destroy: () => Promise.resolve(),
});

async function process(values: ValueObject, ctx: PostProcessContext, a: Artifact) {
  const p = manifestPostProcessor.prepare(rawConfig(values), { templateDir: dir, sourceFullName: ctx.build.sourceFullName, buildName: '' });
  expect(p.errors).toEqual([]);
  return manifestPostProcessor.process(ctx, a, p.config!);
}

describe('manifest post-processor', () => {
  it("appends builds in Packer's packer-manifest.json shape", async () => {
    const file = join(dir, 'f.img');
    writeFileSync(file, 'x'.repeat(1234));
    const before = Math.floor(Date.now() / 1000);
    const res = await process({ output: 'm.json', custom_data: { team: 'infra', n: 1 } }, await ppCtx('basic', 'null', 'run-1'), artifact('Null', []));
    expect(res.keepInput).toBe(true);
    await process({ output: 'm.json', strip_path: true, strip_time: true }, await ppCtx('disk', 'qemu', 'run-2'), artifact('img-1', [file]));
    const text = readFileSync(join(dir, 'm.json'), 'utf8');
    const m = JSON.parse(text) as { builds: Record<string, unknown>[]; last_run_uuid: string };
    expect(Object.keys(m)).toEqual(['builds', 'last_run_uuid']);
    expect(Object.keys(m.builds[0] ?? {})).toEqual(['name', 'builder_type', 'build_time', 'files', 'artifact_id', 'packer_run_uuid', 'custom_data']);
    expect(m.builds[0]).toEqual({
      name: 'basic',
      builder_type: 'null',
      build_time: expect.any(Number),
      files: null,
      artifact_id: 'Null',
      packer_run_uuid: 'run-1',
      custom_data: { team: 'infra', n: '1' },
    });
    expect(m.builds[0]?.['build_time']).toBeGreaterThanOrEqual(before);
    expect(m.builds[1]).toEqual({
      name: 'disk',
      builder_type: 'qemu',
      files: [{ name: 'f.img', size: 1234 }],
      artifact_id: 'img-1',
      packer_run_uuid: 'run-2',
      custom_data: null,
    });
    expect(m.last_run_uuid).toBe('run-2');
    expect(text).toMatch(/^\{\n  "builds": \[\n    \{\n      "name": "basic",/);
  });

  it('starts a new manifest under -force when the file is from another run', async () => {
    const c1 = await ppCtx('a', 'null', 'run-a');
    await process({ output: 'forced.json' }, c1, artifact('1', []));
    await process({ output: 'forced.json' }, { ...(await ppCtx('b', 'null', 'run-b')), force: true }, artifact('2', []));
    await process({ output: 'forced.json' }, { ...(await ppCtx('c', 'null', 'run-b')), force: true }, artifact('3', []));
    const m = JSON.parse(readFileSync(join(dir, 'forced.json'), 'utf8')) as { builds: { name: string }[] };
    expect(m.builds.map((b) => b.name)).toEqual(['b', 'c']);
  });

  it('scrubs sensitive values out of custom_data', async () => {
    const c = { ...(await ppCtx('s', 'null', 'run-s')), scrub: (t: string) => t.replace('hunter2', '<sensitive>') };
    await process({ output: 'scrubbed.json', custom_data: { token: 'x-hunter2', plain: 'visible' } }, c, artifact('1', []));
    const text = readFileSync(join(dir, 'scrubbed.json'), 'utf8');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('"token": "x-<sensitive>"');
  });

  it('rejects unknown keys with a hint', () => {
    const raw = rawConfig({ outptu: 'x' });
    const p = manifestPostProcessor.prepare(raw, { templateDir: dir, sourceFullName: 'null.b', buildName: '' });
    expect(p.errors.map((d) => [d.detail, d.subject?.start.line])).toEqual([
      ['An argument named "outptu" is not expected here. Did you mean "output"?', lineOf(raw, 'outptu')],
    ]);
  });
});
