// The step cache end to end, through `bin/imgbuild build` with the real runc, overlayfs and
// docker-registry: a busybox base made here from Debian's busybox-static, four provisioners
// (shell inline, file upload, shell script, shell inline), and a PATH shim around runc that
// logs every container started, so "nothing ran" is checked against the runtime itself, not
// only against our own events.
import { execFileSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { collect, runCli, startCli, type CliResult } from '../helpers/cli.js';

const EPOCH = 1700000000;
const TIMEOUT = 10 * 60_000;
const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-cache-e2e-'));
const BASE = path.join(work, 'base.tar');
const SHIM = path.join(work, 'shim');
const RUNC_LOG = path.join(work, 'runc.log');

beforeAll(() => {
  // A busybox tree: every applet a symlink to the static binary; root in /etc/passwd.
  const root = path.join(work, 'rootfs');
  mkdirSync(path.join(root, 'bin'), { recursive: true });
  mkdirSync(path.join(root, 'etc'), { recursive: true });
  mkdirSync(path.join(root, 'tmp'), { recursive: true });
  chmodSync(path.join(root, 'tmp'), 0o1777);
  cpSync('/bin/busybox', path.join(root, 'bin', 'busybox'));
  for (const applet of execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n')) {
    if (applet !== '' && applet !== 'busybox') symlinkSync('busybox', path.join(root, 'bin', applet));
  }
  writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(path.join(root, 'etc', 'group'), 'root:x:0:\n');
  execFileSync('tar', ['-C', root, '--sort=name', `--mtime=@${EPOCH}`, '--owner=0', '--group=0', '--numeric-owner', '-cf', BASE, '.']);
  mkdirSync(SHIM);
  writeFileSync(path.join(SHIM, 'runc'), `#!/bin/sh\necho "$*" >> '${RUNC_LOG}'\nexec /usr/sbin/runc "$@"\n`, { mode: 0o755 });
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface StepEnd {
  step: string;
  ok: boolean;
  cached?: boolean;
  cacheKey?: string;
}

interface Build {
  r: CliResult;
  steps: Map<string, StepEnd>;
  /** Build containers runc started during this build. */
  containers: number;
  digest: string;
}

const PROVISIONERS = ['p1', 'p2', 'p3', 'p4'];

/** A checkout of the template: four named provisioners, inputs in files/ and scripts/. */
function checkout(name: string, extra = ''): string {
  const dir = path.join(work, name);
  mkdirSync(path.join(dir, 'files'), { recursive: true });
  mkdirSync(path.join(dir, 'scripts'), { recursive: true });
  writeFileSync(path.join(dir, 'files', 'a.txt'), 'content A\n');
  writeFileSync(path.join(dir, 'scripts', 'three.sh'), '#!/bin/sh\necho three > /three\n');
  writeFileSync(
    path.join(dir, 'build.pkr.hcl'),
    `source "container" "c" {
  image  = "rootfs:${BASE}"
  output = ["oci:out:v1"]
${extra}
}

build {
  sources = ["source.container.c"]
  provisioner "shell" {
    name   = "p1"
    inline = ["echo one > /one"]
  }
  provisioner "file" {
    name        = "p2"
    source      = "files/a.txt"
    destination = "/a.txt"
  }
  provisioner "shell" {
    name   = "p3"
    script = "scripts/three.sh"
  }
  provisioner "shell" {
    name   = "p4"
    inline = ["cat /a.txt /three > /four"]
  }
}
`,
  );
  return dir;
}

function cacheDir(name: string): string {
  return path.join(work, `cache-${name}`);
}

async function build(dir: string, cache: string, args: string[] = []): Promise<Build> {
  const before = existsSync(RUNC_LOG) ? readFileSync(RUNC_LOG, 'utf8') : '';
  const r = await runCli(['build', '--json', ...args, 'build.pkr.hcl'], {
    cwd: dir,
    timeoutMs: TIMEOUT,
    env: {
      IMGBUILD_CACHE_DIR: cache,
      IMGBUILD_STATE_DIR: path.join(work, 'state'),
      SOURCE_DATE_EPOCH: String(EPOCH),
      PATH: `${SHIM}:${process.env['PATH'] ?? ''}`,
    },
  });
  const after = existsSync(RUNC_LOG) ? readFileSync(RUNC_LOG, 'utf8') : '';
  const steps = new Map<string, StepEnd>();
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { type: string } & StepEnd;
    if (e.type === 'step-end' && PROVISIONERS.includes(e.step)) steps.set(e.step, e);
  }
  const index = path.join(dir, 'out', 'index.json');
  const digest = existsSync(index) ? ((JSON.parse(readFileSync(index, 'utf8')) as { manifests: { digest: string }[] }).manifests[0]?.digest ?? '') : '';
  const containers = after.slice(before.length).split('\n').filter((l) => l.startsWith('run ')).length;
  return { r, steps, containers, digest };
}

function cachedOf(b: Build): Record<string, boolean> {
  return Object.fromEntries(PROVISIONERS.filter((p) => b.steps.has(p)).map((p) => [p, b.steps.get(p)?.cached === true]));
}

function keysOf(b: Build): (string | undefined)[] {
  return PROVISIONERS.map((p) => b.steps.get(p)?.cacheKey);
}

function expectOk(b: Build): void {
  if (b.r.code !== 0) throw new Error(`build failed (${b.r.code}):\n${b.r.stdout}\n${b.r.stderr}`);
}

test('an unchanged rebuild runs no container: every provisioner step is cached, same image', async () => {
  const dir = checkout('unchanged');
  const cache = cacheDir('unchanged');
  const first = await build(dir, cache);
  expectOk(first);
  expect(cachedOf(first)).toEqual({ p1: false, p2: false, p3: false, p4: false });
  expect(first.containers).toBeGreaterThan(0);
  expect(keysOf(first).every((k) => /^[0-9a-f]{64}$/.test(k ?? ''))).toBe(true);

  const again = await build(dir, cache);
  expectOk(again);
  expect(cachedOf(again)).toEqual({ p1: true, p2: true, p3: true, p4: true });
  expect(again.containers).toBe(0);
  expect(keysOf(again)).toEqual(keysOf(first));
  expect(again.digest).toBe(first.digest);

  // Every output mode says which steps were cached and how long the others ran.
  const env = { IMGBUILD_CACHE_DIR: cache, IMGBUILD_STATE_DIR: path.join(work, 'state'), SOURCE_DATE_EPOCH: String(EPOCH) };
  const plain = await runCli(['build', 'build.pkr.hcl'], { cwd: dir, env, timeoutMs: TIMEOUT });
  expect(plain.stdout).toMatch(/c: p3: using cached result/);
  const machine = await runCli(['build', '-machine-readable', 'build.pkr.hcl'], { cwd: dir, env, timeoutMs: TIMEOUT });
  expect(machine.stdout).toMatch(/,ui,message,.*p3: using cached result/);
  const fresh = await runCli(['build', '--no-cache', 'build.pkr.hcl'], { cwd: dir, env, timeoutMs: TIMEOUT });
  expect(fresh.stdout).toMatch(/c: p3: ran in \d+(ms|s)/);
}, TIMEOUT);

test("changing one provisioner's script re-runs that step and the ones after it only", async () => {
  const dir = checkout('script');
  const cache = cacheDir('script');
  const first = await build(dir, cache);
  expectOk(first);
  writeFileSync(path.join(dir, 'scripts', 'three.sh'), '#!/bin/sh\necho THREE > /three\n');
  const changed = await build(dir, cache);
  expectOk(changed);
  expect(cachedOf(changed)).toEqual({ p1: true, p2: true, p3: false, p4: false });
  expect(keysOf(changed).slice(0, 2)).toEqual(keysOf(first).slice(0, 2));
  expect(changed.digest).not.toBe(first.digest);
}, TIMEOUT);

test("new content in an uploaded file invalidates its step even under the old mtime; a touch alone does not", async () => {
  const dir = checkout('upload');
  const cache = cacheDir('upload');
  expectOk(await build(dir, cache));
  const file = path.join(dir, 'files', 'a.txt');
  const { atime, mtime } = statSync(file);

  utimesSync(file, new Date(), new Date(Date.now() + 60_000));
  const touched = await build(dir, cache);
  expectOk(touched);
  expect(cachedOf(touched)).toEqual({ p1: true, p2: true, p3: true, p4: true });
  expect(touched.containers).toBe(0);

  writeFileSync(file, 'content B\n'); // same length
  utimesSync(file, atime, mtime);
  const edited = await build(dir, cache);
  expectOk(edited);
  expect(cachedOf(edited)).toEqual({ p1: true, p2: false, p3: false, p4: false });
}, TIMEOUT);

test('a build that failed at step 3 resumes at step 3', async () => {
  // p3 fails until the host creates flag/ok (a transient failure, say a mirror that was down).
  const dir = checkout('resume', '  mounts = [{ source = "flag", destination = "/flag", readonly = true }]');
  writeFileSync(path.join(dir, 'scripts', 'three.sh'), '#!/bin/sh\ntest -f /flag/ok || exit 3\necho three > /three\n');
  mkdirSync(path.join(dir, 'flag'));
  const cache = cacheDir('resume');
  const failed = await build(dir, cache);
  expect(failed.r.code).toBe(1);
  expect(cachedOf(failed)).toEqual({ p1: false, p2: false, p3: false });
  expect(failed.steps.get('p3')?.ok).toBe(false);

  writeFileSync(path.join(dir, 'flag', 'ok'), '');
  const resumed = await build(dir, cache);
  expectOk(resumed);
  expect(cachedOf(resumed)).toEqual({ p1: true, p2: true, p3: false, p4: false });
  expect(keysOf(resumed).slice(0, 3)).toEqual(keysOf(failed).slice(0, 3));
}, TIMEOUT);

test('a build killed with SIGKILL while storing a layer leaves no entry the next build uses; it reruns that step and gives the same image', async () => {
  // p2 uploads 48 MB that do not compress (AES-CTR of zeros: the same bytes every run), so
  // writing its gzip layer blob takes long enough to be caught in the middle.
  const big = createCipheriv('aes-128-ctr', Buffer.alloc(16), Buffer.alloc(16)).update(Buffer.alloc(48 << 20));
  const cache = cacheDir('killed');
  const state = path.join(work, 'state-killed');
  const dir = checkout('killed');
  writeFileSync(path.join(dir, 'files', 'a.txt'), big);
  const env = { IMGBUILD_CACHE_DIR: cache, IMGBUILD_STATE_DIR: state, SOURCE_DATE_EPOCH: String(EPOCH) };
  const blobs = path.join(cache, 'blobs', 'sha256');
  const partialBlob = (): string | undefined =>
    (existsSync(blobs) ? readdirSync(blobs) : []).find((n) => n.startsWith('.tmp-') && (statSync(path.join(blobs, n), { throwIfNoEntry: false })?.size ?? 0) > 4 << 20);

  const child = startCli(['build', 'build.pkr.hcl'], { cwd: dir, env });
  const done = collect(child, { timeoutMs: TIMEOUT });
  const deadline = Date.now() + 5 * 60_000;
  while (partialBlob() === undefined && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(partialBlob()).toBeDefined();
  child.kill('SIGKILL');
  expect((await done).signal).toBe('SIGKILL');
  const partial = partialBlob() ?? '';

  // No handler runs on SIGKILL: what the build had made is in the journal for `imgbuild cleanup`.
  const cleanup = await runCli(['cleanup'], { env, timeoutMs: 120_000 });
  expect(cleanup.code).toBe(0);
  expect(cleanup.stdout).toMatch(/removed path container build dir/);
  expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(cache);
  const tmpDir = path.join(cache, 'tmp');
  expect(existsSync(tmpDir) ? readdirSync(tmpDir) : []).toEqual([]);

  // The rerun: p1 was stored before the kill; p2's half-written blob is never taken for a layer.
  const rerun = await build(dir, cache);
  expectOk(rerun);
  expect(cachedOf(rerun)).toEqual({ p1: true, p2: false, p3: false, p4: false });
  const reference = checkout('killed-reference');
  writeFileSync(path.join(reference, 'files', 'a.txt'), big);
  const uninterrupted = await build(reference, cacheDir('killed-reference'));
  expectOk(uninterrupted);
  expect(rerun.digest).toBe(uninterrupted.digest);

  // The dead build's temp blob only takes space; prune leaves it while it could still be
  // someone's write in progress (it is recent), and names it once it is stale (unit test).
  expect(readdirSync(blobs)).toContain(partial);
  const prune = await runCli(['cache', 'prune', '--older-than=30d'], { env });
  expect(prune.code).toBe(0);
  expect(readdirSync(blobs)).toContain(partial);
}, TIMEOUT);

test('two checkouts in different directories share cache entries', async () => {
  const cache = cacheDir('checkouts');
  const a = await build(checkout('checkout-a'), cache);
  expectOk(a);
  const b = await build(checkout(path.join('elsewhere', 'deeper', 'checkout-b')), cache);
  expectOk(b);
  expect(keysOf(b)).toEqual(keysOf(a));
  expect(cachedOf(b)).toEqual({ p1: true, p2: true, p3: true, p4: true });
  expect(b.containers).toBe(0);
  expect(b.digest).toBe(a.digest);
}, TIMEOUT);

test('cache = false always runs its step; later steps still hit when it made the same layer', async () => {
  const dir = checkout('nocache');
  const hcl = path.join(dir, 'build.pkr.hcl');
  writeFileSync(hcl, readFileSync(hcl, 'utf8').replace('name        = "p2"', 'name        = "p2"\n    cache       = false'));
  const cache = cacheDir('nocache');
  expectOk(await build(dir, cache));
  const again = await build(dir, cache);
  expectOk(again);
  expect(cachedOf(again)).toEqual({ p1: true, p2: false, p3: true, p4: true });
  expect(again.steps.get('p2')?.cacheKey).toBeUndefined();

  // cache_key invalidates on purpose: that step and the ones after it.
  writeFileSync(hcl, readFileSync(hcl, 'utf8').replace('name   = "p3"', 'name   = "p3"\n    cache_key = "v2"'));
  const salted = await build(dir, cache);
  expectOk(salted);
  expect(cachedOf(salted)).toEqual({ p1: true, p2: false, p3: false, p4: false });
}, TIMEOUT);

describe('shared cache in a registry', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(async () => reg.stop());

  test('a second runner with an empty local cache builds from --cache-from without running a step, same digest', async () => {
    const repo = `${reg.host}/imgbuild/cache`;
    const first = await build(checkout('runner-1'), cacheDir('runner-1'), ['--cache-to', repo]);
    expectOk(first);
    expect(cachedOf(first)).toEqual({ p1: false, p2: false, p3: false, p4: false });

    const second = await build(checkout('runner-2'), cacheDir('runner-2'), ['--cache-from', repo]);
    expectOk(second);
    expect(cachedOf(second)).toEqual({ p1: true, p2: true, p3: true, p4: true });
    expect(second.containers).toBe(0);
    expect(second.digest).toBe(first.digest);
    expect(keysOf(second)).toEqual(keysOf(first));
  }, TIMEOUT);
});

test('sensitive values never reach a cache entry; changing one still re-runs its step', async () => {
  const secret = 'tok-3f9a1c7e5b2d';
  const dir = checkout('sensitive');
  const hcl = path.join(dir, 'build.pkr.hcl');
  writeFileSync(
    hcl,
    `variable "token" {\n  type      = string\n  sensitive = true\n}\n\n` +
      readFileSync(hcl, 'utf8').replace('inline = ["echo one > /one"]', 'inline = ["echo ${var.token} | wc -c > /one"]'),
  );
  const cache = cacheDir('sensitive');
  const first = await build(dir, cache, ['-var', `token=${secret}`]);
  expectOk(first);
  const entries = readdirSync(path.join(cache, 'steps')).filter((n) => n.endsWith('.json'));
  expect(entries).toHaveLength(4);
  for (const n of entries) expect(readFileSync(path.join(cache, 'steps', n), 'utf8')).not.toContain(secret);
  const rotated = await build(dir, cache, ['-var', 'token=tok-other-value1']);
  expectOk(rotated);
  expect(cachedOf(rotated)).toEqual({ p1: false, p2: false, p3: false, p4: false });
}, TIMEOUT);

test('validate accepts cache and cache_key on a provisioner and checks their types', async () => {
  const dir = checkout('validate');
  const hcl = path.join(dir, 'build.pkr.hcl');
  writeFileSync(hcl, readFileSync(hcl, 'utf8').replace('name   = "p1"', 'name   = "p1"\n    cache = false\n    cache_key = "2024-06"'));
  const ok = await runCli(['validate', 'build.pkr.hcl'], { cwd: dir });
  expect(ok.stderr).toBe('');
  expect(ok.code).toBe(0);
  writeFileSync(hcl, readFileSync(hcl, 'utf8').replace('cache = false', 'cache = "sometimes"'));
  const bad = await runCli(['validate', 'build.pkr.hcl'], { cwd: dir });
  expect(bad.code).toBe(1);
  expect(bad.stdout + bad.stderr).toMatch(/cache: a bool is required/);
});

test('imgbuild cache ls, du and prune --all', async () => {
  const cache = cacheDir('unchanged');
  const env = { IMGBUILD_CACHE_DIR: cache };
  const ls = await runCli(['cache', 'ls'], { env });
  expect(ls.code).toBe(0);
  expect(ls.stdout).toMatch(/^KEY\s+PROVISIONER\s+SIZE\s+AGE\s+LAST USED/);
  expect(ls.stdout).toMatch(/p3 \(shell\)/);
  const du = await runCli(['cache', 'du'], { env });
  expect(du.stdout).toMatch(/entries\s+4/);
  const prune = await runCli(['cache', 'prune', '--all'], { env });
  expect(prune.stdout).toMatch(/Removed 4 entries/);
  expect((await runCli(['cache', 'ls'], { env })).stdout).toMatch(/No step cache entries/);
}, TIMEOUT);
