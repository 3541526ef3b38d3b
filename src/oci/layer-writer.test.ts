import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, readFile, stat, utimes, link } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobStore } from './blob-store.js';
import { extractLayer } from './extract.js';
import { writeLayerFromDir, type WriteLayerOptions } from './layer-writer.js';
import { decompress } from './decompress.js';
import { createReadStream } from 'node:fs';
import { pyList, tempDir, writeTree } from './test-util.js';
import { setXattr } from './xattr.js';
import { sha256 } from './digest.js';

const EPOCH = 1700000000;
let tmp: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => tmp.cleanup());

async function layer(dir: string, opts: Partial<WriteLayerOptions> = {}) {
  return writeLayerFromDir(dir, { sourceDateEpoch: EPOCH, compression: 'gzip', store: new BlobStore(join(tmp.path, 'store')), ...opts });
}

async function sampleTree(root: string): Promise<void> {
  await writeTree(root, {
    'etc/hostname': 'box\n',
    'etc/empty': '',
    'usr/bin/tool': { mode: 0o755, content: '#!/bin/sh\necho hi\n' },
    'usr/lib/': null,
    'lib': { symlink: 'usr/lib' },
    'b-z/file': 'dash sorts before slash\n',
    [`deep/${'d'.repeat(90)}/${'e'.repeat(90)}/${'f'.repeat(120)}`]: 'long path needs PAX\n',
    'big.bin': 'x'.repeat(3 << 20),
  });
  await link(join(root, 'etc/hostname'), join(root, 'etc/hostname.hard'));
}

describe('writeLayerFromDir', () => {
  test('writes the same digest and diff_id twice, also after atime and ctime change', async () => {
    const src = join(tmp.path, 'src');
    await sampleTree(src);
    const a = await layer(src);
    // chmod to the same mode changes ctime only; utimes with a new atime changes atime only.
    await chmod(join(src, 'etc/hostname'), 0o644);
    const st = await stat(join(src, 'usr/bin/tool'));
    await utimes(join(src, 'usr/bin/tool'), new Date(), st.mtime);
    await new Promise((r) => setTimeout(r, 20));
    const b = await layer(src);
    expect(b.digest).toBe(a.digest);
    expect(b.diffId).toBe(a.diffId);
    expect(a.digest).not.toBe(a.diffId);
  });

  test('hashes the blob as digest and the uncompressed tar as diff_id', async () => {
    const src = join(tmp.path, 'src');
    await sampleTree(src);
    const r = await layer(src);
    const blob = await readFile(r.path);
    expect(sha256(blob)).toBe(r.digest);
    expect(r.size).toBe(blob.length);
    const tar = execFileSync('gunzip', ['-c', r.path], { maxBuffer: 1 << 28 });
    expect(sha256(tar)).toBe(r.diffId);
    expect(tar.length).toBe(r.diffSize);
    // Fixed gzip header: mtime 0, no name flag, OS byte 3.
    expect([...blob.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  });

  test('sorts entries bytewise, clamps mtimes, writes numeric ids only and hardlinks as links', async () => {
    const src = join(tmp.path, 'src');
    await sampleTree(src);
    const future = new Date((EPOCH + 1000) * 1000);
    const past = new Date((EPOCH - 1000) * 1000);
    await utimes(join(src, 'etc/empty'), past, past);
    await utimes(join(src, 'big.bin'), future, future);
    const list = pyList((await layer(src)).path);
    const names = list.map((e) => e.name);
    expect(names).toEqual([...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    expect(names.indexOf('b-z')).toBeLessThan(names.indexOf('b-z/file'));
    for (const e of list) {
      expect(e.uname).toBe('');
      expect(e.gname).toBe('');
      expect(e.mtime).toBeLessThanOrEqual(EPOCH);
      expect(Object.keys(e.pax).filter((k) => k !== 'path')).toEqual([]);
    }
    expect(list.find((e) => e.name === 'etc/empty')?.mtime).toBe(EPOCH - 1000);
    expect(list.find((e) => e.name === 'big.bin')?.mtime).toBe(EPOCH);
    const hard = list.find((e) => e.name === 'etc/hostname.hard');
    expect(hard).toMatchObject({ type: '1', linkname: 'etc/hostname' });
    expect(list.find((e) => e.name === 'lib')).toMatchObject({ type: '2', linkname: 'usr/lib' });
    expect(list.find((e) => e.name === 'usr/bin/tool')?.mode).toBe(0o755);
    expect(list.some((e) => e.name.startsWith('deep/') && e.pax['path'] !== undefined)).toBe(true);
  });

  test('keeps security.capability, drops overlay xattrs, and excludes globs', async () => {
    const src = join(tmp.path, 'src');
    await writeTree(src, { 'bin/ping': 'elf', 'cache/x': 'junk', 'keep/a.log': 'log', 'keep/b.txt': 'txt' });
    const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex');
    await setXattr(join(src, 'bin/ping'), 'security.capability', cap);
    await setXattr(join(src, 'bin/ping'), 'trusted.overlay.origin', Buffer.from('x'));
    await setXattr(join(src, 'bin/ping'), 'user.comment', Buffer.from('hello'));
    const list = pyList((await layer(src, { exclude: ['cache', '**/*.log'] })).path);
    const ping = list.find((e) => e.name === 'bin/ping');
    expect(Object.keys(ping?.pax ?? {})).toEqual(['SCHILY.xattr.security.capability', 'SCHILY.xattr.user.comment']);
    expect(Buffer.from(ping?.pax['SCHILY.xattr.security.capability'] ?? '', 'latin1')).toEqual(cap);
    expect(list.map((e) => e.name)).toEqual(['bin', 'bin/ping', 'keep', 'keep/b.txt']);
  });

  test('compresses with zstd and none, same diff_id as gzip', async () => {
    const src = join(tmp.path, 'src');
    await sampleTree(src);
    const g = await layer(src);
    const z = await layer(src, { compression: 'zstd' });
    const n = await layer(src, { compression: 'none' });
    expect(z.diffId).toBe(g.diffId);
    expect(n.diffId).toBe(g.diffId);
    expect(n.digest).toBe(n.diffId);
    expect(z.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
    expect((await layer(src, { compression: 'zstd' })).digest).toBe(z.digest);
  });

  test('GNU tar extracts the layer to an identical tree', async () => {
    const src = join(tmp.path, 'src');
    await sampleTree(src);
    const out = join(tmp.path, 'out');
    await mkdir(out);
    execFileSync('tar', ['-xzf', (await layer(src)).path, '-C', out]);
    execFileSync('diff', ['-r', '--no-dereference', src, out]);
  });
});

describe('overlay whiteouts', () => {
  async function upperWithWhiteouts(): Promise<string> {
    const upper = join(tmp.path, 'upper');
    await writeTree(upper, { 'etc/new.conf': 'new\n', 'var/cache/apt/': null, 'var/cache/apt/fresh': 'f' });
    execFileSync('mknod', [join(upper, 'etc/old.conf'), 'c', '0', '0']);
    await setXattr(join(upper, 'var/cache/apt'), 'trusted.overlay.opaque', Buffer.from('y'));
    return upper;
  }

  test('turns 0:0 char devices into .wh. files and opaque dirs into .wh..wh..opq', async () => {
    const list = pyList((await layer(await upperWithWhiteouts(), { overlayUpper: true })).path);
    const names = list.map((e) => e.name);
    expect(names).toEqual(['etc', 'etc/.wh.old.conf', 'etc/new.conf', 'var', 'var/cache', 'var/cache/apt', 'var/cache/apt/.wh..wh..opq', 'var/cache/apt/fresh']);
    expect(list.find((e) => e.name === 'etc/.wh.old.conf')).toMatchObject({ type: '0', size: 0 });
    expect(list.find((e) => e.name === 'var/cache/apt')?.pax).toEqual({});
  });

  test('round-trips: overlay extraction restores the whiteout device and opaque xattr', async () => {
    const r = await layer(await upperWithWhiteouts(), { overlayUpper: true });
    const out = join(tmp.path, 'lower');
    await mkdir(out);
    await extractLayer(decompress(createReadStream(r.path), 'layer'), out, { mode: 'overlay' });
    const wh = await lstat(join(out, 'etc/old.conf'));
    expect(wh.isCharacterDevice() && wh.rdev === 0).toBe(true);
    const x = execFileSync('getfattr', ['--absolute-names', '-n', 'trusted.overlay.opaque', '--only-values', join(out, 'var/cache/apt')]).toString();
    expect(x).toBe('y');
    // And written again from that lowerdir, the layer is the same.
    expect((await layer(out, { overlayUpper: true })).diffId).toBe(r.diffId);
  });

  test('merged extraction deletes whited-out and opaque-hidden lower entries but keeps the new ones', async () => {
    const r = await layer(await upperWithWhiteouts(), { overlayUpper: true });
    const root = join(tmp.path, 'merged');
    await writeTree(root, { 'etc/old.conf': 'old', 'etc/keep': 'k', 'var/cache/apt/stale.bin': 's', 'var/cache/apt/sub/deep': 'd' });
    await extractLayer(decompress(createReadStream(r.path), 'layer'), root, { mode: 'merged' });
    expect((await readdir(join(root, 'etc'))).sort()).toEqual(['keep', 'new.conf']);
    expect(await readdir(join(root, 'var/cache/apt'))).toEqual(['fresh']);
  });

  test('an opaque marker keeps what the same layer writes below it, even without parent dir entries', async () => {
    const { buildTar } = await import('../../test/fixtures/hostile-layers/index.js');
    const { Readable } = await import('node:stream');
    const root = join(tmp.path, 'merged');
    await writeTree(root, { 'd/old': 'o', 'd/s/old': 'o', 'd/s/new': 'stale' });
    const tar = buildTar([{ path: 'd/.wh..wh..opq', type: 'file' }, { path: 'd/s/new', type: 'file', content: 'fresh' }], tmp.path);
    await extractLayer(Readable.from([tar]), root, { mode: 'merged' });
    expect(await readdir(join(root, 'd'))).toEqual(['s']);
    expect(await readdir(join(root, 'd/s'))).toEqual(['new']);
    expect(await readFile(join(root, 'd/s/new'), 'utf8')).toBe('fresh');
  });

  test('refuses a real file named .wh.* in an upper dir', async () => {
    const upper = join(tmp.path, 'upper');
    await writeTree(upper, { 'etc/.wh.sneaky': 'x' });
    await expect(layer(upper, { overlayUpper: true })).rejects.toThrow('layer: etc/.wh.sneaky: file names starting with ".wh." are reserved for whiteouts');
  });
});

test('an empty directory gives the two-block empty tar', async () => {
  const src = join(tmp.path, 'empty');
  await mkdir(src);
  const r = await layer(src, { compression: 'none' });
  expect(r.diffSize).toBe(1024);
});

test('refuses an upper dir written with overlay metacopy, whose data lives in the lower layer', async () => {
  const upper = join(tmp.path, 'upper');
  await writeTree(upper, { 'usr/bin/tool': '' });
  await setXattr(join(upper, 'usr/bin/tool'), 'trusted.overlay.metacopy', Buffer.alloc(0));
  await expect(layer(upper, { overlayUpper: true })).rejects.toThrow(
    'layer: usr/bin/tool: overlay metacopy in use (trusted.overlay.metacopy); mount the overlay with metacopy=off',
  );
});

test('accepts a relative directory path', async () => {
  const src = join(tmp.path, 'rel');
  await writeTree(src, { 'bin/ping': 'elf' });
  await setXattr(join(src, 'bin/ping'), 'security.capability', Buffer.from('0100000200200000000000000000000000000000', 'hex'));
  const path = await import('node:path');
  const list = pyList((await layer(path.relative(process.cwd(), src))).path);
  expect(Object.keys(list.find((e) => e.name === 'bin/ping')?.pax ?? {})).toEqual(['SCHILY.xattr.security.capability']);
});
