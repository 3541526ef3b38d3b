import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MemorySink, makeUi } from '../../src/core/events.js';
import type { Artifact, PostProcessContext } from '../../src/core/plugin.js';
import { lineOf, rawConfig } from '../../src/core/testing.js';
import type { ValueObject } from '../../src/core/model/value.js';
import { compressPostProcessor } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'imgbuild-compress-'));
const ctx: PostProcessContext = {
  signal: new AbortController().signal,
  ui: makeUi('null.c', new MemorySink()),
  journal: { record: () => Promise.resolve({} as never), complete: (e) => Promise.resolve(e), strike: () => Promise.resolve() },
  build: { buildName: '', sourceFullName: 'null.c', sourceType: 'null', sourceName: 'c', runId: 'r', templateDir: root },
  generated: {},
};

function tree(base: string): string[] {
  const img = join(base, 'disk.img');
  const out = join(base, 'output-dir');
  mkdirSync(join(out, 'sub'), { recursive: true });
  writeFileSync(img, Buffer.alloc(70_000, 7));
  writeFileSync(join(out, 'z.txt'), 'zed\n');
  writeFileSync(join(out, 'sub', 'run.sh'), '#!/bin/sh\n');
  chmodSync(join(out, 'sub', 'run.sh'), 0o755);
  writeFileSync(join(out, 'sub', `${'long-name-'.repeat(12)}.txt`), 'long\n');
  symlinkSync('z.txt', join(out, 'link'));
  return [out, img];
}

async function compress(values: ValueObject, files: string[]) {
  const p = compressPostProcessor.prepare(rawConfig(values), { templateDir: root, sourceFullName: 'null.c', buildName: '' });
  expect(p.errors).toEqual([]);
  const input: Artifact = { builderId: 'x', id: 'x', files, description: '', state: {}, destroy: () => Promise.resolve() };
  return compressPostProcessor.process(ctx, input, p.config!);
}

describe('compress post-processor', () => {
  it('writes byte-identical .tar.gz archives across runs and trees, which extract correctly', async () => {
    const a = tree(mkdtempSync(join(root, 'a-')));
    const b = tree(mkdtempSync(join(root, 'b-')));
    // Different mtimes between the two trees must not matter.
    execFileSync('touch', ['-d', '2001-01-01', join(b[0] ?? '', 'z.txt')]);
    const r1 = await compress({ output: 'one.tar.gz' }, a);
    await compress({ output: 'two.tgz' }, b);
    expect(r1.artifact.files).toEqual([join(root, 'one.tar.gz')]);
    expect(r1.keepInput).toBe(false);
    const one = readFileSync(join(root, 'one.tar.gz'));
    expect(one.equals(readFileSync(join(root, 'two.tgz')))).toBe(true);
    // gzip header: magic, deflate, no flags (no name), mtime 0.
    expect([...one.subarray(0, 8)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);

    const listing = execFileSync('tar', ['-tvzf', join(root, 'one.tar.gz'), '--numeric-owner']).toString().trim().split('\n');
    expect(listing.map((l) => l.split(/\s+/).slice(5).join(' '))).toEqual([
      'disk.img',
      'output-dir/',
      'output-dir/link -> z.txt',
      'output-dir/sub/',
      `output-dir/sub/${'long-name-'.repeat(12)}.txt`,
      'output-dir/sub/run.sh',
      'output-dir/z.txt',
    ]);
    expect(listing.every((l) => l.includes(' 0/0 ') && l.includes('1970-01-01'))).toBe(true);

    const x = mkdtempSync(join(root, 'x-'));
    execFileSync('tar', ['-xzf', join(root, 'one.tar.gz'), '-C', x]);
    expect(readFileSync(join(x, 'disk.img')).equals(Buffer.alloc(70_000, 7))).toBe(true);
    expect(readFileSync(join(x, 'output-dir', 'link'), 'utf8')).toBe('zed\n');
    expect(execFileSync('stat', ['-c', '%a', join(x, 'output-dir', 'sub', 'run.sh')]).toString().trim()).toBe('755');
  });

  it('uses SOURCE_DATE_EPOCH for entry mtimes', async () => {
    process.env['SOURCE_DATE_EPOCH'] = '1700000000';
    try {
      await compress({ output: 'epoch.tar' }, [tree(mkdtempSync(join(root, 'e-')))[1] ?? '']);
    } finally {
      delete process.env['SOURCE_DATE_EPOCH'];
    }
    expect(execFileSync('tar', ['-tvf', join(root, 'epoch.tar'), '--utc']).toString()).toContain('2023-11-14 22:13');
  });

  it('gzips a single file for .gz and refuses several', async () => {
    const f = join(mkdtempSync(join(root, 'g-')), 'disk.raw');
    writeFileSync(f, 'raw disk\n');
    const r = await compress({ output: 'packer_{{.BuildName}}_{{.BuilderType}}.raw.gz', compression_level: 9 }, [f]);
    expect(r.artifact.files).toEqual([join(root, 'packer_c_null.raw.gz')]);
    expect(gunzipSync(readFileSync(join(root, 'packer_c_null.raw.gz'))).toString()).toBe('raw disk\n');
    await expect(compress({ output: 'two.gz' }, [f, f])).rejects.toThrow('the .gz format holds exactly one file');
    expect(existsSync(join(root, 'two.gz'))).toBe(false);
  });

  it('rejects formats it cannot write and out-of-range levels, at the key', () => {
    const raw = rawConfig({ output: 'x.zip', compression_level: 12 });
    const p = compressPostProcessor.prepare(raw, { templateDir: root, sourceFullName: 'null.c', buildName: '' });
    expect(p.errors.map((d) => [d.summary, d.subject?.start.line])).toEqual([['Invalid value', lineOf(raw, 'compression_level')]]);
    const z = compressPostProcessor.prepare(rawConfig({ output: 'x.zip' }), { templateDir: root, sourceFullName: 'null.c', buildName: '' });
    expect(z.errors.map((d) => d.summary)).toEqual(['Unsupported archive format']);
  });
});
