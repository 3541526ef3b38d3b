// The in-process ext4 time clamp against e2fsprogs itself: the inode bytes it writes are the
// ones `debugfs -w` writes with `sif <ino> atime|ctime @T` for each inode (the superblock aside:
// debugfs adds its own writes to s_kbytes_written), e2fsck finds every checksum right, and
// debugfs reads the epoch back as atime and ctime while mtimes keep the source's.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clampExt4Times } from './ext4-times.js';
import { MKE2FS_CONF } from './mke2fs-conf.js';

const dir = mkdtempSync(join(tmpdir(), 'imgbuild-ext4-times-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EPOCH = 1700000000;
const OFFSET = 1024 * 1024;
const MTIME = 1600000000;

describe('clampExt4Times', () => {
  it('sets atime and ctime of every inode mke2fs -d wrote as debugfs would, checksums included', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'etc', 'sub'), { recursive: true });
    writeFileSync(join(tree, 'etc', 'hostname'), 'vm\n');
    writeFileSync(join(tree, 'etc', 'sub', 'big'), Buffer.alloc(200_000, 7));
    symlinkSync('hostname', join(tree, 'etc', 'link'));
    for (const p of ['etc/hostname', 'etc/sub/big', 'etc/sub', 'etc']) utimesSync(join(tree, p), MTIME, MTIME);
    const entries = 5; // etc, etc/hostname, etc/link, etc/sub, etc/sub/big: inodes 12..16 after lost+found (11)

    const conf = join(dir, 'mke2fs.conf');
    writeFileSync(conf, MKE2FS_CONF);
    const ours = join(dir, 'ours.img');
    execFileSync('truncate', ['-s', String(OFFSET + 32 * 1024 * 1024), ours]);
    const env = { ...process.env, MKE2FS_CONFIG: conf, E2FSPROGS_FAKE_TIME: String(EPOCH) };
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-E', `offset=${OFFSET},root_owner=0:0`, '-d', tree, ours, String((32 * 1024 * 1024) / 4096)], { env });
    const theirs = join(dir, 'debugfs.img');
    copyFileSync(ours, theirs);

    const fh = await open(ours, 'r+');
    try {
      expect(await clampExt4Times(fh, OFFSET, EPOCH)).toBe(2 + entries);
    } finally {
      await fh.close();
    }
    const inodes = [2, ...Array.from({ length: 1 + entries }, (_, i) => 11 + i)];
    const script = join(dir, 'times.debugfs');
    writeFileSync(script, inodes.map((i) => `sif <${i}> atime @${EPOCH}\nsif <${i}> ctime @${EPOCH}\n`).join(''));
    execFileSync('debugfs', ['-w', '-f', script, `${theirs}?offset=${OFFSET}`], { env, stdio: 'pipe' });

    const a = readFileSync(ours);
    const b = readFileSync(theirs);
    const differ: number[] = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ.push(i);
    expect(differ.filter((i) => i < OFFSET + 1024 || i >= OFFSET + 2048)).toEqual([]);

    execFileSync('e2fsck', ['-fn', `${ours}?offset=${OFFSET}`], { stdio: 'pipe' });
    const stat = execFileSync('debugfs', ['-R', 'stat /etc/sub/big', `${ours}?offset=${OFFSET}`], { encoding: 'utf8', stdio: 'pipe' });
    const hex = (t: number): string => `0x${t.toString(16)}`;
    expect(stat).toMatch(new RegExp(`atime: ${hex(EPOCH)}:00000000`));
    expect(stat).toMatch(new RegExp(`ctime: ${hex(EPOCH)}:00000000`));
    expect(stat).toMatch(new RegExp(`mtime: ${hex(MTIME)}:00000000`));
  });
});
