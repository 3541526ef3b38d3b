// The runtime drivers against the real runc, crun and bwrap over a real overlay mount.
import { mkdtempSync, readFileSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRuntime, mountOverlay, unmount, isMounted, runTool } from './index.js';
import { makeTestRootfs } from './testing.js';
import type { RuntimeContainer, RuntimeName } from './types.js';

const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-runtime-test-'));
const lower = makeTestRootfs(path.join(work, 'lower'));
let n = 0;

afterAll(() => rmSync(work, { recursive: true, force: true }));

async function withContainer(runtime: RuntimeName, fn: (c: RuntimeContainer, merged: string, upper: string) => Promise<void>, opts: { network?: 'host' | 'none'; user?: string } = {}): Promise<void> {
  const dir = path.join(work, `c${++n}`);
  for (const d of ['upper', 'work', 'merged']) mkdirSync(path.join(dir, d), { recursive: true });
  const merged = path.join(dir, 'merged');
  await mountOverlay({ lowerdirs: [lower], upper: path.join(dir, 'upper'), work: path.join(dir, 'work'), target: merged });
  const c = await createRuntime(runtime).create({
    id: `imgbuild-test-${process.pid}-${n}`,
    rootfs: merged,
    bundleDir: path.join(dir, 'bundle'),
    network: opts.network ?? 'host',
    env: ['FROM_IMAGE=1'],
    ...(opts.user ? { user: opts.user } : {}),
  });
  try {
    await fn(c, merged, path.join(dir, 'upper'));
  } finally {
    await c.destroy();
    await unmount(merged);
  }
  expect(await isMounted(merged)).toBe(false);
}

async function sh(c: RuntimeContainer, cmd: string, opts: { signal?: AbortSignal; env?: Record<string, string> } = {}): Promise<{ code: number; out: string; err: string; signal?: string }> {
  let out = '';
  let err = '';
  const r = await c.exec({ args: ['/bin/sh', '-c', cmd], onStdout: (s) => (out += s), onStderr: (s) => (err += s), ...opts });
  return { code: r.exitCode, out, err, ...(r.signal ? { signal: r.signal } : {}) };
}

describe.each(['runc', 'crun', 'bwrap'] as const)('%s runtime', (rt) => {
  it('runs commands with streamed stdout/stderr, exit codes and the image env', async () => {
    await withContainer(rt, async (c, _merged, upper) => {
      const r = await sh(c, 'echo out; echo err >&2; echo "$FROM_IMAGE $EXTRA $PATH"; echo file > /root/made; exit 7', { env: { EXTRA: 'x' } });
      expect(r).toEqual({ code: 7, out: 'out\n1 x /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n', err: 'err\n' });
      expect(readFileSync(path.join(upper, 'root/made'), 'utf8')).toBe('file\n');
    });
  });

  it('kills the command when aborted', async () => {
    await withContainer(rt, async (c) => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 300);
      const t0 = Date.now();
      const r = await sh(c, 'echo started; sleep 60; echo never', { signal: ac.signal });
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(r.out).toBe('started\n');
      expect(r.signal).toBe('SIGKILL');
    });
  });

  it('returns when the command exits even if a background process keeps its output open', async () => {
    await withContainer(rt, async (c) => {
      const t0 = Date.now();
      const r = await sh(c, 'sleep 60 & echo started; exit 4');
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(r).toEqual({ code: 4, out: 'started\n', err: '' });
    });
  });

  it.each(['host', 'none'] as const)('names the container hostname in /etc/hosts (network %s), as Docker does', async (network) => {
    await withContainer(
      rt,
      async (c) => {
        const r = await sh(c, 'cat /etc/hosts; cat /proc/sys/kernel/hostname');
        const lines = r.out.split('\n');
        expect(lines).toContain('127.0.1.1\timgbuild');
        expect(lines).toContain('imgbuild');
        expect(lines.some((l) => /^127\.0\.0\.1\s+localhost\b/.test(l))).toBe(true);
      },
      { network },
    );
  });

  it('gives network "none" an empty network namespace', async () => {
    await withContainer(
      rt,
      async (c) => {
        const r = await sh(c, 'cat /proc/net/dev');
        const ifaces = r.out.split('\n').slice(2).filter((l) => l.trim() !== '').map((l) => l.split(':')[0]?.trim());
        expect(ifaces).toEqual(['lo']);
      },
      { network: 'none' },
    );
  });
});

describe.each(['runc', 'crun'] as const)('%s runtime users', (rt) => {
  it('runs as a user named in the image /etc/passwd, with its groups and home', async () => {
    await withContainer(
      rt,
      async (c) => {
        const r = await sh(c, 'id; echo $HOME');
        expect(r.out).toBe('uid=1234(builder) gid=1234(builder) groups=1234(builder),2000(extra)\n/home/builder\n');
      },
      { user: 'builder' },
    );
  });

  it('keeps Docker default capabilities only', async () => {
    await withContainer(rt, async (c) => {
      const r = await sh(c, 'cat /proc/self/status');
      expect(/CapEff:\s+(\w+)/.exec(r.out)?.[1]).toBe('00000000a80425fb');
    });
  });
});

test('a missing runtime binary is one error naming the Debian package', async () => {
  await expect(runTool('crun', ['--version'], { env: { PATH: '/nonexistent' } })).rejects.toThrow('crun: executable not found in PATH; install it with `apt-get install -y crun`');
});

test('overlay mounts with more layers than fit in one page use short links', async () => {
  const dir = path.join(work, 'many');
  const lowers: string[] = [];
  for (let i = 0; i < 60; i++) {
    const l = path.join(dir, `a-rather-long-layer-directory-name-to-fill-the-page-${String(i).padStart(3, '0')}`);
    mkdirSync(l, { recursive: true });
    lowers.push(l);
  }
  lowers.push(lower);
  for (const d of ['upper', 'work', 'merged']) mkdirSync(path.join(dir, d));
  await mountOverlay({ lowerdirs: lowers, upper: path.join(dir, 'upper'), work: path.join(dir, 'work'), target: path.join(dir, 'merged') });
  try {
    expect(existsSync(path.join(dir, 'merged/etc/passwd'))).toBe(true);
  } finally {
    await unmount(path.join(dir, 'merged'));
  }
});
