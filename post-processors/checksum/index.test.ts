import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySink, makeUi } from '../../src/core/events.js';
import type { Artifact, PostProcessContext } from '../../src/core/plugin.js';
import { lineOf, rawConfig } from '../../src/core/testing.js';
import { checksumPostProcessor } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'imgbuild-checksum-'));
const ctx: PostProcessContext = {
  signal: new AbortController().signal,
  ui: makeUi('null.sum', new MemorySink()),
  journal: { record: () => Promise.resolve({} as never), complete: (e) => Promise.resolve(e), strike: () => Promise.resolve() },
  build: { buildName: '', sourceFullName: 'null.sum', sourceType: 'null', sourceName: 'sum', runId: 'r', templateDir: dir },
  generated: {},
};

describe('checksum post-processor', () => {
  it('writes GNU coreutils lines that sha256sum -c and md5sum -c verify', async () => {
    const a = join(dir, 'a.bin');
    const b = join(dir, 'b with space.txt');
    writeFileSync(a, Buffer.from([0, 1, 2, 255]));
    writeFileSync(b, 'hello\n');
    const input: Artifact = { builderId: 'x', id: 'x', files: [a, b], description: '', state: {}, destroy: () => Promise.resolve() };
    const p = checksumPostProcessor.prepare(rawConfig({ checksum_types: ['sha256', 'md5'] }), { templateDir: dir, sourceFullName: 'null.sum', buildName: '' });
    expect(p.errors).toEqual([]);
    const res = await checksumPostProcessor.process(ctx, input, p.config!);
    const sha = join(dir, 'packer_sum_null_sha256.checksum');
    const md5 = join(dir, 'packer_sum_null_md5.checksum');
    expect(res.artifact.files).toEqual([sha, md5]);
    expect(res.keepInput).toBe(true);
    expect(readFileSync(sha, 'utf8')).toBe(
      `${execFileSync('sha256sum', [a]).toString().split(' ')[0]}  a.bin\n` +
        `5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  b with space.txt\n`,
    );
    expect(execFileSync('sha256sum', ['-c', sha], { cwd: dir }).toString()).toBe('a.bin: OK\nb with space.txt: OK\n');
    expect(execFileSync('md5sum', ['-c', md5], { cwd: dir }).toString()).toBe('a.bin: OK\nb with space.txt: OK\n');
  });

  it('rejects unknown algorithms and keys', () => {
    const raw = rawConfig({ checksum_types: ['sha256', 'crc32'], outpt: 'x' });
    const p = checksumPostProcessor.prepare(raw, { templateDir: dir, sourceFullName: 'null.sum', buildName: '' });
    expect(p.errors.map((d) => [d.detail, d.subject?.start.line])).toEqual([
      ['An argument named "outpt" is not expected here. Did you mean "output"?', lineOf(raw, 'outpt')],
      [
        'The argument "checksum_types[1]" must be one of "md5", "sha1", "sha224", "sha256", "sha384", "sha512"; got "crc32".',
        lineOf(raw, 'checksum_types.1'),
      ],
    ]);
  });
});
