import { Readable } from 'node:stream';
import { lstat, mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildTar, hostileCases } from '../../test/fixtures/hostile-layers/index.js';
import { cleanPath, extractLayer, type ExtractOptions } from './extract.js';
import { tempDir } from './test-util.js';

function once(b: Buffer): AsyncIterable<Buffer> {
  return Readable.from([b]);
}

/** Everything observable about a tree: names, types, modes, sizes, times, contents. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const p = join(dir, rel, name);
      const st = await lstat(p);
      const content = st.isFile() ? (await readFile(p)).toString('hex') : '';
      // Reading the content for the snapshot must not itself spoil the read detection.
      if (st.isFile()) await utimes(p, st.atime, st.mtime);
      out.push(`${join(rel, name)} ${st.mode} ${st.size} ${st.mtimeMs} ${st.atimeMs} ${st.nlink} ${content}`);
      if (st.isDirectory()) await walk(join(rel, name));
    }
  };
  await walk('');
  return out;
}

describe('extraction of hostile layers', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let outside: string;
  let before: string[];

  beforeEach(async () => {
    tmp = await tempDir();
    outside = join(tmp.path, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'canary'), 'canary\n');
    // atime older than mtime: under relatime any read of the canary would bump it.
    await utimes(join(outside, 'canary'), 1600000000, 1700000000);
    await utimes(outside, 1600000000, 1700000000);
    before = await snapshot(outside);
  });
  afterEach(async () => tmp.cleanup());

  for (const mode of ['merged', 'overlay'] as const) {
    for (const c of hostileCases) {
      test(`${mode}: ${c.name} is ${c.expect === 'reject' ? 'rejected' : 'contained'} and leaves the canary untouched`, async () => {
        const root = join(tmp.path, 'root');
        await mkdir(root);
        const warnings: string[] = [];
        const opts: ExtractOptions = { mode, what: 'layer hostile', onWarning: (w) => warnings.push(w) };
        const run = extractLayer(once(buildTar(c.entries, outside)), root, opts);
        if (c.expect === 'reject') await expect(run).rejects.toThrow(c.message ?? '');
        else await run;
        expect(await snapshot(outside)).toEqual(before);
        if (c.name.startsWith('absolute path')) expect(await readFile(join(root, outside, 'canary'), 'utf8')).toBe('pwned');
        if (c.name.startsWith('device nodes')) {
          expect(warnings).toEqual(['layer hostile: dev/sda: device node skipped (not allowed)', 'layer hostile: dev/mem: device node skipped (not allowed)']);
          expect(await readdir(join(root, 'dev'))).toEqual([]);
        }
      });
    }
  }

  test('device nodes are created when allowed (running as root)', async () => {
    const root = join(tmp.path, 'root');
    await mkdir(root);
    const tar = buildTar([{ path: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }], outside);
    await extractLayer(once(tar), root, { mode: 'merged', allowDevices: true });
    const st = await lstat(join(root, 'dev/null'));
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.mode & 0o777).toBe(0o666);
  });

  test('a later layer replacing a file with a symlink does not let a third entry write through it', async () => {
    const root = join(tmp.path, 'root');
    await mkdir(root);
    await extractLayer(once(buildTar([{ path: 'etc/passwd', type: 'file', content: 'root' }], outside)), root, { mode: 'merged' });
    const second = buildTar([{ path: 'etc', type: 'symlink', linkname: outside }, { path: 'etc/canary', type: 'file', content: 'pwned' }], outside);
    await expect(extractLayer(once(second), root, { mode: 'merged' })).rejects.toThrow('etc: refusing to extract through a symlink');
    expect(await snapshot(outside)).toEqual(before);
  });
});

describe('cleanPath', () => {
  test('drops leading slashes and dot components, rejects dot-dot', () => {
    expect(cleanPath('/./a//b/./c/', 'x')).toEqual(['a', 'b', 'c']);
    expect(cleanPath('./', 'x')).toEqual([]);
    expect(() => cleanPath('a/../b', 'layer l')).toThrow('layer l: "a/../b": path contains ".."');
  });
});
