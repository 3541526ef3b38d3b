// The container communicator's file transfer semantics and its refusal to leave the root,
// over a plain directory standing in for the merged overlay (exec is the runtime's, tested
// with real runtimes in src/runtime).
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { ContainerCommunicator } from './index.js';
import { resolveInRoot } from '../../runtime/rootfs-path.js';
import type { RuntimeContainer } from '../../runtime/types.js';

const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-comm-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

function setup(): { root: string; local: string; outside: string; comm: ContainerCommunicator; started: () => number } {
  const base = path.join(work, `t${++n}`);
  const root = path.join(base, 'root');
  const local = path.join(base, 'local');
  const outside = path.join(base, 'outside');
  for (const d of [root, local, outside, path.join(root, 'etc'), path.join(root, 'usr/lib')]) mkdirSync(d, { recursive: true });
  symlinkSync('usr/lib', path.join(root, 'lib'));
  // Hostile links: absolute and relative, both pointing out of the root on the host.
  symlinkSync(outside, path.join(root, 'evil-abs'));
  symlinkSync('../../outside', path.join(root, 'etc/evil-rel'));
  writeFileSync(path.join(outside, 'secret'), 'host secret\n');
  let starts = 0;
  const fake: RuntimeContainer = {
    id: 'fake',
    runtime: 'runc',
    exec: () => Promise.resolve({ exitCode: 0 }),
    destroy: () => Promise.resolve(),
  };
  const comm = new ContainerCommunicator({
    rootfs: root,
    container: () => {
      starts++;
      return Promise.resolve(fake);
    },
  });
  return { root, local, outside, comm, started: () => starts };
}

describe('container communicator', () => {
  it('uploads a file with its mode, creating parent directories, without starting the container', async () => {
    const { root, comm, started } = setup();
    await comm.upload('/opt/app/run.sh', Buffer.from('#!/bin/sh\n'), { mode: 0o755 });
    expect(readFileSync(path.join(root, 'opt/app/run.sh'), 'utf8')).toBe('#!/bin/sh\n');
    expect(statSync(path.join(root, 'opt/app/run.sh')).mode & 0o777).toBe(0o755);
    expect(started()).toBe(0);
  });

  it('follows image symlinks as the container sees them', async () => {
    const { root, comm } = setup();
    await comm.upload('/lib/x.so', Buffer.from('x'));
    expect(readFileSync(path.join(root, 'usr/lib/x.so'), 'utf8')).toBe('x');
  });

  it('never writes or reads outside the root through hostile symlinks', async () => {
    const { root, outside, comm } = setup();
    await comm.upload('/evil-abs/secret', Buffer.from('overwritten'));
    await comm.upload('/etc/evil-rel/secret', Buffer.from('overwritten'));
    expect(readFileSync(path.join(outside, 'secret'), 'utf8')).toBe('host secret\n');
    // Both landed inside the root, where the container would see them.
    expect(readFileSync(path.join(root, outside, 'secret'), 'utf8')).toBe('overwritten');
    const sink = new PassThrough();
    let got = '';
    sink.on('data', (c: Buffer) => (got += c.toString()));
    await expect(comm.download('/evil-abs/secret', sink)).resolves.toBeUndefined();
    expect(got).toBe('overwritten');
    await expect(comm.upload('/../../outside/secret', Buffer.from('x'))).rejects.toThrow(/climbs above the container root/);
  });

  it('replaces a symlink at the destination instead of writing through it', async () => {
    const { root, outside, comm } = setup();
    symlinkSync(path.join(outside, 'secret'), path.join(root, 'etc/link'));
    await comm.uploadDir('/etc', path.join(setupLocal(root), ''), {});
    expect(readFileSync(path.join(outside, 'secret'), 'utf8')).toBe('host secret\n');
  });

  it('uploads "dir" as the directory itself and "dir/" as its contents, keeping symlinks', async () => {
    const { root, local, comm } = setup();
    mkdirSync(path.join(local, 'conf/sub'), { recursive: true });
    writeFileSync(path.join(local, 'conf/a.txt'), 'a');
    writeFileSync(path.join(local, 'conf/sub/b.txt'), 'b');
    writeFileSync(path.join(local, 'conf/skip.tmp'), 'skip');
    symlinkSync('a.txt', path.join(local, 'conf/link'));
    mkdirSync(path.join(root, 'srv'));
    await comm.uploadDir('/srv', path.join(local, 'conf'), { exclude: ['*.tmp'] });
    await comm.uploadDir('/flat', `${path.join(local, 'conf')}/`);
    expect(readFileSync(path.join(root, 'srv/conf/sub/b.txt'), 'utf8')).toBe('b');
    expect(existsSync(path.join(root, 'srv/conf/skip.tmp'))).toBe(false);
    expect(readlinkSync(path.join(root, 'srv/conf/link'))).toBe('a.txt');
    expect(readFileSync(path.join(root, 'flat/a.txt'), 'utf8')).toBe('a');
    expect(existsSync(path.join(root, 'flat/conf'))).toBe(false);
  });

  it('downloads files and directories with the same trailing-slash rule', async () => {
    const { root, local, comm } = setup();
    mkdirSync(path.join(root, 'var/log/app'), { recursive: true });
    writeFileSync(path.join(root, 'var/log/app/x.log'), 'log');
    await comm.downloadDir('/var/log/app', path.join(local, 'a'));
    await comm.downloadDir('/var/log/app/', path.join(local, 'b'));
    expect(readFileSync(path.join(local, 'a/app/x.log'), 'utf8')).toBe('log');
    expect(readFileSync(path.join(local, 'b/x.log'), 'utf8')).toBe('log');
    await expect(comm.download('/var/log/app', new PassThrough())).rejects.toThrow(/is a directory/);
    await expect(comm.download('/nope', new PassThrough())).rejects.toThrow(/no such file in the container/);
  });

  it('asks the session for the container only when a command runs', async () => {
    const { comm, started } = setup();
    expect((await comm.exec('true')).exitCode).toBe(0);
    await comm.exec('true');
    expect(started()).toBe(2); // once per exec: the builder's session factory caches it
  });

  it('fails clearly when no build container is attached', async () => {
    const comm = new ContainerCommunicator();
    await expect(comm.exec('true')).rejects.toThrow(/no build container is attached/);
  });
});

function setupLocal(root: string): string {
  const d = path.join(path.dirname(root), 'local-etc');
  mkdirSync(d, { recursive: true });
  writeFileSync(path.join(d, 'link'), 'regular file now');
  return `${d}/`;
}

test('resolveInRoot clamps link-made .. at the root and refuses a caller .. above it', async () => {
  const { root } = setup();
  symlinkSync('../../../../usr/lib', path.join(root, 'etc/deep'));
  expect(await resolveInRoot(root, '/etc/deep/x')).toBe(path.join(root, 'usr/lib/x'));
  await expect(resolveInRoot(root, '../x')).rejects.toThrow(/climbs above/);
  symlinkSync('loop2', path.join(root, 'loop1'));
  symlinkSync('loop1', path.join(root, 'loop2'));
  await expect(resolveInRoot(root, '/loop1/x')).rejects.toThrow(/too many levels/);
});
