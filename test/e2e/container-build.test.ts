// The daemonless container builder end to end, through `bin/imgbuild build`, with the real
// runc, overlayfs and mmdebstrap: a bootstrap Debian base (built once per machine, cached
// under IMGBUILD_CACHE_DIR), shell and file provisioners, a package from the Debian mirror,
// and the output checked by independent tools (skopeo, umoci, runc). Also: reproducible
// digests from empty layer caches, cleanup after a failing or interrupted provisioner, and
// Packer's docker cp upload rules row by row (provisioners/file/upload-table.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { bootstrapKey } from '../../src/bootstrap/index.js';
import { collect, runCli, startCli, waitForOutput } from '../helpers/cli.js';
import { startRegistry } from '../helpers/registry.js';
import { LOCAL_TREE, UPLOAD_ROWS, destinationOf, listingCommand, setupCommands, type UploadRow } from '../../provisioners/file/upload-table.js';

const EPOCH = 1700000000;
const SHARED_CACHE = process.env['IMGBUILD_CACHE_DIR'] || path.join(homedir(), '.cache', 'imgbuild');
const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-container-e2e-'));
const stateDir = path.join(work, 'state');
const BUILD_TIMEOUT = 15 * 60_000;
/** Suffix of every source name here: leftovers are counted only for these builds, so other
 * suites building containers with the same cache at the same time do not interfere. */
const TAG = '-e2ectr';

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function env(cache = SHARED_CACHE): Record<string, string> {
  return { IMGBUILD_CACHE_DIR: cache, IMGBUILD_STATE_DIR: stateDir, SOURCE_DATE_EPOCH: String(EPOCH) };
}

function template(name: string, body: string, outputs: string[]): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'build.pkr.hcl');
  writeFileSync(
    file,
    `source "container" "${name}${TAG}" {
  bootstrap {
    suite = "bookworm"
  }
  exclude = ["var/lib/apt/lists/*", "var/cache/apt/*.bin"]
  changes = ["CMD [\\"/usr/bin/hello\\"]", "ENV GREETING=hi", "LABEL org.example.test=yes"]
  output  = ${JSON.stringify(outputs)}
}

build {
  sources = ["source.container.${name}${TAG}"]
${body}
}
`,
  );
  return dir;
}

function tool(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * What a build may leave behind under `cache`: containers whose bundle is in its build
 * dirs, overlay mounts there, build dirs. Scoped to the cache so concurrent runs of this
 * suite with other caches do not count.
 */
function leftovers(cache: string): { containers: string[]; mounts: string[]; buildDirs: string[] } {
  const tmp = path.join(cache, 'tmp');
  const listed = spawnSync('runc', ['list', '--format', 'json'], { encoding: 'utf8' }).stdout ?? '';
  const all = (JSON.parse(listed.trim() === '' ? 'null' : listed) ?? []) as { id: string; bundle: string }[];
  const containers = all.filter((c) => c.bundle.startsWith(`${tmp}/`) && c.id.includes(TAG)).map((c) => c.id);
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => (m.startsWith(`${tmp}/`) && m.includes(TAG)) || m.startsWith(work));
  const buildDirs = existsSync(tmp) ? readdirSync(tmp).filter((d) => d.includes(TAG)) : [];
  return { containers, mounts, buildDirs };
}

const FILE_AND_SHELL = `
  provisioner "shell" {
    inline = ["echo step1 > /etc/step1", "useradd -m -u 1234 builder"]
  }
  provisioner "file" {
    source      = "greeting.txt"
    destination = "/opt/greeting.txt"
  }
  provisioner "file" {
    source      = "data/"
    destination = "/srv/data"
  }
  provisioner "shell" {
    inline = ["echo this step changes nothing"]
  }
`;

function addFiles(dir: string): void {
  writeFileSync(path.join(dir, 'greeting.txt'), 'hello from the file provisioner\n');
  mkdirSync(path.join(dir, 'data', 'sub'), { recursive: true });
  writeFileSync(path.join(dir, 'data', 'sub', 'x.txt'), 'x\n');
}

test('builds a bootstrap Debian image with shell and file provisioners and an apt package, readable by skopeo, umoci and runc', async () => {
  const dir = template(
    'deb',
    `${FILE_AND_SHELL}
  provisioner "shell" {
    name   = "install hello"
    inline = ["apt-get update -q", "apt-get install -y --no-install-recommends hello", "hello"]
  }
`,
    ['oci:out:v1', 'docker-archive:out.docker.tar:imgbuild/deb:v1', 'oci-archive:out.oci.tar:v1'],
  );
  addFiles(dir);
  // --no-cache: every provisioner really runs (results are still stored for the rebuild below).
  const r = await runCli(['build', 'build.pkr.hcl'], { cwd: dir, env: { ...env(), IMGBUILD_NO_CACHE: '1' }, timeoutMs: BUILD_TIMEOUT });
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Hello, world!');

  const oci = `oci:${path.join(dir, 'out')}:v1`;
  const inspect = JSON.parse(tool('skopeo', ['inspect', oci])) as { Layers: string[]; Env: string[]; Labels: Record<string, string> };
  // base + step1 + two file uploads + apt; the no-op shell step is an empty_layer entry.
  expect(inspect.Layers).toHaveLength(5);
  expect(inspect.Env).toContain('GREETING=hi');
  expect(inspect.Labels).toEqual({ 'org.example.test': 'yes' });
  const config = JSON.parse(tool('skopeo', ['inspect', '--config', oci])) as { history: { created_by: string; empty_layer?: boolean }[]; config: { Cmd: string[] } };
  expect(config.config.Cmd).toEqual(['/usr/bin/hello']);
  expect(config.history.map((h) => h.created_by).slice(1)).toEqual([
    'imgbuild shell: echo step1 > /etc/step1',
    'imgbuild file: greeting.txt -> /opt/greeting.txt',
    'imgbuild file: data -> /srv/data',
    'imgbuild shell: echo this step changes nothing',
    'imgbuild shell: install hello',
  ]);
  expect(config.history[4]?.empty_layer).toBe(true);

  // Both archives are readable, and skopeo can convert the layout.
  expect(JSON.parse(tool('skopeo', ['inspect', `docker-archive:${path.join(dir, 'out.docker.tar')}`])).Layers).toHaveLength(5);
  expect(JSON.parse(tool('skopeo', ['inspect', `oci-archive:${path.join(dir, 'out.oci.tar')}:v1`])).Layers).toHaveLength(5);
  tool('skopeo', ['copy', oci, `docker-archive:${path.join(dir, 'copy.tar')}:imgbuild/copy:v1`]);

  // umoci unpacks it; runc runs the installed program from the image.
  const bundle = path.join(dir, 'bundle');
  tool('umoci', ['unpack', '--image', `${path.join(dir, 'out')}:v1`, bundle]);
  const rootfs = path.join(bundle, 'rootfs');
  expect(readFileSync(path.join(rootfs, 'etc/step1'), 'utf8')).toBe('step1\n');
  expect(readFileSync(path.join(rootfs, 'opt/greeting.txt'), 'utf8')).toBe('hello from the file provisioner\n');
  expect(readFileSync(path.join(rootfs, 'srv/data/sub/x.txt'), 'utf8')).toBe('x\n');
  expect(readFileSync(path.join(rootfs, 'etc/passwd'), 'utf8')).toMatch(/^builder:x:1234:/m);
  expect(existsSync(path.join(rootfs, 'tmp'))).toBe(true);
  // Excluded from layers: apt lists.
  expect(readdirSync(path.join(rootfs, 'var/lib/apt/lists')).filter((f) => f.includes('Packages'))).toEqual([]);
  const spec = JSON.parse(readFileSync(path.join(bundle, 'config.json'), 'utf8')) as {
    process: { terminal: boolean; args: string[]; capabilities: Record<string, string[]> };
  };
  spec.process.terminal = false;
  const caps = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'];
  spec.process.capabilities = { bounding: caps, effective: caps, permitted: caps };
  writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
  const run = spawnSync('runc', ['run', '--bundle', bundle, `imgbuild-e2e-hello-${process.pid}`], { encoding: 'utf8', timeout: 30_000 });
  expect(run.stdout).toBe('Hello, world!\n');
  expect(run.status).toBe(0);

  expect(leftovers(SHARED_CACHE)).toEqual({ containers: [], mounts: [], buildDirs: [] });

  // A no-change rebuild takes every step from the step cache and gives the same image.
  const digest = (JSON.parse(readFileSync(path.join(dir, 'out', 'index.json'), 'utf8')) as { manifests: { digest: string }[] }).manifests[0]?.digest;
  const again = await runCli(['build', 'build.pkr.hcl'], { cwd: dir, env: env(), timeoutMs: BUILD_TIMEOUT });
  expect(again.code).toBe(0);
  expect(again.stdout.match(/using cached result/g)).toHaveLength(5);
  expect(again.stdout).not.toContain('Hello, world!');
  const digest2 = (JSON.parse(readFileSync(path.join(dir, 'out', 'index.json'), 'utf8')) as { manifests: { digest: string }[] }).manifests[0]?.digest;
  expect(digest2).toBe(digest);
}, BUILD_TIMEOUT);

test('two builds of one template, minutes apart and from empty layer caches, give the same manifest digest', async () => {
  const digests: string[] = [];
  const started = Date.now();
  const key = bootstrapKey({ suite: 'bookworm' }, EPOCH);
  const tarball = path.join(SHARED_CACHE, 'bootstrap', `${key}.tar`);
  for (const n of [1, 2]) {
    const cache = path.join(work, `cache-${n}`);
    // Only mmdebstrap's tarball is shared (it is slow and itself reproducible): blobs,
    // extracted layers and the base layer are all made afresh.
    if (existsSync(tarball)) {
      mkdirSync(path.join(cache, 'bootstrap'), { recursive: true });
      linkSync(tarball, path.join(cache, 'bootstrap', `${key}.tar`));
    }
    if (n === 2) {
      // Minutes apart, as users rebuild: the wall clock must not reach the image bytes.
      const wait = started + 2 * 60_000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const dir = template(`repro${n}`, FILE_AND_SHELL, ['oci:out:v1']);
    addFiles(dir);
    const r = await runCli(['build', 'build.pkr.hcl'], { cwd: dir, env: env(cache), timeoutMs: BUILD_TIMEOUT });
    expect(r.code).toBe(0);
    const index = JSON.parse(readFileSync(path.join(dir, 'out', 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    digests.push(index.manifests[0]?.digest ?? '');
    if (n === 2) rmSync(cache, { recursive: true, force: true });
  }
  expect(digests[0]).toMatch(/^sha256:/);
  expect(digests[1]).toBe(digests[0]);
  expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 60_000);
}, BUILD_TIMEOUT + 3 * 60_000);

test('a failing provisioner leaves no container, no mount and no build dir', async () => {
  const dir = template(
    'fails',
    `
  provisioner "shell" {
    inline = ["echo partial > /etc/partial", "exit 3"]
  }
`,
    ['oci:out:v1'],
  );
  const r = await runCli(['build', 'build.pkr.hcl'], { cwd: dir, env: env(), timeoutMs: BUILD_TIMEOUT });
  expect(r.code).toBe(1);
  expect(r.stdout + r.stderr).toMatch(/exited with status 3/);
  expect(leftovers(SHARED_CACHE)).toEqual({ containers: [], mounts: [], buildDirs: [] });
  expect(existsSync(path.join(dir, 'out'))).toBe(false);
}, BUILD_TIMEOUT);

test('SIGINT in the middle of a provisioner kills it and cleans up everything', async () => {
  const dir = template(
    'sigint',
    `
  provisioner "shell" {
    inline = ["echo provisioner-started", "sleep 120", "echo should-not-print"]
  }
`,
    ['oci:out:v1'],
  );
  const child = startCli(['build', 'build.pkr.hcl'], { cwd: dir, env: env() });
  const done = collect(child, { timeoutMs: BUILD_TIMEOUT });
  try {
    await waitForOutput(child, /provisioner-started/, BUILD_TIMEOUT);
    // The container is really there before the interrupt.
    expect(leftovers(SHARED_CACHE).containers).toHaveLength(1);
  } finally {
    child.kill('SIGINT');
  }
  const t0 = Date.now();
  const r = await done;
  expect(Date.now() - t0).toBeLessThan(20_000);
  expect(r.code).toBe(130);
  expect(r.stdout).not.toContain('should-not-print');
  expect(leftovers(SHARED_CACHE)).toEqual({ containers: [], mounts: [], buildDirs: [] });
}, BUILD_TIMEOUT);

test('the docker builder (Packer keys) commits with changes on crun, and export_path writes the filesystem with bwrap', async () => {
  const key = bootstrapKey({ suite: 'bookworm' }, EPOCH);
  const tarball = path.join(SHARED_CACHE, 'bootstrap', `${key}.tar`);
  expect(existsSync(tarball)).toBe(true); // built by the first test
  // The build host's identity stays out of the base (mmdebstrap copies both in).
  const names = tool('tar', ['-tf', tarball]).split('\n');
  expect(names).toContain('./etc/passwd');
  expect(names.filter((n) => n === './etc/hostname' || n === './etc/resolv.conf')).toEqual([]);
  const dir = path.join(work, 'docker');
  mkdirSync(dir, { recursive: true });
  for (const [p, content] of Object.entries(LOCAL_TREE)) {
    if (content === null) mkdirSync(path.join(dir, p), { recursive: true });
    else writeFileSync(path.join(dir, p), content);
  }
  writeFileSync(
    path.join(dir, 'build.pkr.hcl'),
    `source "docker" "commit${TAG}" {
  image   = "rootfs:${tarball}"
  commit  = true
  changes = ["ENTRYPOINT [\\"/bin/cat\\"]", "WORKDIR /srv", "EXPOSE 8080"]
  runtime = "crun"
  output  = "docker-archive:${path.join(dir, 'out.tar')}:imgbuild/docker:1"
}

source "docker" "export${TAG}" {
  image       = "rootfs:${tarball}"
  export_path = "${path.join(dir, 'fs.tar')}"
  runtime     = "bwrap"
}

build {
  sources = ["source.docker.commit${TAG}", "source.docker.export${TAG}"]
  provisioner "shell" {
    # The container's hostname resolves (no "unable to resolve host" from sudo).
    inline = ["echo from-$PACKER_BUILD_NAME > /srv/who", "getent hosts \\"$(cat /proc/sys/kernel/hostname)\\""]
  }
${uploadRowsHcl()}
}
`,
  );
  const r = await runCli(['build', 'build.pkr.hcl'], { cwd: dir, env: env(), timeoutMs: BUILD_TIMEOUT });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const cfg = JSON.parse(tool('skopeo', ['inspect', '--config', `docker-archive:${path.join(dir, 'out.tar')}`])) as { config: { Entrypoint: string[]; WorkingDir: string; ExposedPorts: object } };
  expect(cfg.config).toMatchObject({ Entrypoint: ['/bin/cat'], WorkingDir: '/srv', ExposedPorts: { '8080/tcp': {} } });
  const listing = tool('tar', ['-xOf', path.join(dir, 'fs.tar'), 'srv/who']).toString();
  expect(listing).toBe(`from-export${TAG}\n`);
  // Packer's docker cp rules, row by row, as the build container saw them.
  const rows = tool('tar', ['-xOf', path.join(dir, 'fs.tar'), 'srv/upload-rows.txt']).toString();
  expect(rows).toBe(UPLOAD_ROWS_OK.map((r) => `row ${r.id}\n${(r.expected as string[]).map((l) => `${l}\n`).join('')}`).join(''));
  expect(leftovers(SHARED_CACHE)).toEqual({ containers: [], mounts: [], buildDirs: [] });
}, BUILD_TIMEOUT);

/** The upload table's rows that succeed, as provisioners: set-up, the upload, then the listing. */
const UPLOAD_ROWS_OK = UPLOAD_ROWS.filter((r) => Array.isArray(r.expected));
function uploadRowsHcl(): string {
  const base = (r: UploadRow): string => `/srv/rows/${r.id}`;
  const setup = UPLOAD_ROWS_OK.flatMap((r) => setupCommands(r, base(r)));
  const uploads = UPLOAD_ROWS_OK.map((r) => `  provisioner "file" {\n    source      = ${JSON.stringify(r.source)}\n    destination = ${JSON.stringify(destinationOf(r, base(r)))}\n  }\n`);
  const listings = UPLOAD_ROWS_OK.map((r) => `echo row ${r.id} >> /srv/upload-rows.txt; (${listingCommand(base(r))}) >> /srv/upload-rows.txt`);
  // HCL reads ${ in a string as interpolation: $${ is the literal.
  const hclList = (l: string[]): string => JSON.stringify(l).replace(/\$\{/g, '$$${');
  return `  provisioner "shell" {\n    inline = ${hclList(setup)}\n  }\n${uploads.join('')}  provisioner "shell" {\n    inline = ${hclList(listings)}\n  }\n`;
}

test('pushes to a registry and builds on top of the pushed image pulled back', async () => {
  const registry = await startRegistry();
  try {
    const ref = `${registry.host}/imgbuild/base:1`;
    const a = template('push', `
  provisioner "shell" {
    inline = ["echo pushed > /etc/pushed"]
  }
`, [ref]);
    const ra = await runCli(['build', 'build.pkr.hcl'], { cwd: a, env: env(), timeoutMs: BUILD_TIMEOUT });
    expect(ra.code).toBe(0);
    // The image in the registry, and pulled back from it, is the one built: same manifest digest.
    const builtDigest = /Container image (sha256:[a-f0-9]{64}) -> /.exec(ra.stdout)?.[1];
    expect(builtDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(ra.stdout).toContain(`${ref}@${builtDigest ?? ''}`);
    const remote = JSON.parse(tool('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`])) as { Digest: string };
    expect(remote.Digest).toBe(builtDigest);
    const back = path.join(work, 'pulled-back');
    tool('skopeo', ['copy', '--src-tls-verify=false', `docker://${ref}`, `oci:${back}:x`]);
    const pulledBack = JSON.parse(tool('skopeo', ['inspect', `oci:${back}:x`])) as { Digest: string };
    expect(pulledBack.Digest).toBe(builtDigest);
    const dir = path.join(work, 'pull');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'build.pkr.hcl'),
      `source "container" "pull${TAG}" {
  image  = "${ref}"
  output = "oci:out:v1"
}
build {
  sources = ["source.container.pull${TAG}"]
  provisioner "shell" {
    inline = ["cat /etc/pushed > /etc/pulled"]
  }
}
`,
    );
    const rb = await runCli(['build', 'build.pkr.hcl'], { cwd: dir, env: env(), timeoutMs: BUILD_TIMEOUT });
    expect(rb.stderr).toBe('');
    expect(rb.code).toBe(0);
    const pushed = JSON.parse(tool('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`])) as { Layers: string[] };
    const built = JSON.parse(tool('skopeo', ['inspect', `oci:${path.join(dir, 'out')}:v1`])) as { Layers: string[] };
    expect(built.Layers.slice(0, pushed.Layers.length)).toEqual(pushed.Layers);
    expect(built.Layers).toHaveLength(pushed.Layers.length + 1);
  } finally {
    await registry.stop();
  }
}, BUILD_TIMEOUT);

test('-on-error=abort leaves the container, mount and build dir, and `imgbuild cleanup` removes them', async () => {
  const dir = template(
    'abort',
    `
  provisioner "shell" {
    inline = ["sleep 300 &", "exit 1"]
  }
`,
    ['oci:out:v1'],
  );
  const r = await runCli(['build', '--on-error=abort', 'build.pkr.hcl'], { cwd: dir, env: env(), timeoutMs: BUILD_TIMEOUT });
  const left = leftovers(SHARED_CACHE);
  // Cleanup first, so a failed expectation below leaves nothing running.
  const c = await runCli(['cleanup'], { cwd: dir, env: env(), timeoutMs: 60_000 });
  expect(r.code).toBe(1);
  expect(left.containers).toHaveLength(1);
  expect(left.mounts).toHaveLength(1);
  expect(left.buildDirs).toHaveLength(1);
  expect(c.code).toBe(0);
  expect(c.stdout).toMatch(/removed runc-container[\s\S]*removed mount[\s\S]*removed path/);
  expect(leftovers(SHARED_CACHE)).toEqual({ containers: [], mounts: [], buildDirs: [] });
}, BUILD_TIMEOUT);
