// A Packer docker template from ../shared/packer-corpus built unchanged through
// `bin/imgbuild build`: Packer's own fix_upload_owner fixture (docker-plugin test-fixtures),
// whose `image = "ubuntu"` is served from a local registry standing in for Docker Hub
// (IMGBUILD_REGISTRY_MIRRORS=docker.io=<local registry>). The base pushed there is the cached
// bootstrap Debian base the container-build suite uses. The template's last provisioner
// checks that uploads and files created in the container belong to uid 42, the user its
// run_command runs as, and fails the build otherwise.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { bootstrapKey } from '../../src/bootstrap/index.js';
import { CORPUS_DIR, runCli } from '../helpers/cli.js';
import { startRegistry } from '../helpers/registry.js';

const EPOCH = 1700000000;
const SHARED_CACHE = process.env['IMGBUILD_CACHE_DIR'] || path.join(homedir(), '.cache', 'imgbuild');
const BUILD_TIMEOUT = 15 * 60_000;
const CORPUS_FILE = '15-hashicorp__packer-plugin-docker__builder__docker__test-fixtures__fix_upload_owner.pkr.hcl';
const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-container-corpus-e2e-'));
const stateDir = path.join(work, 'state');

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function tool(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * The bootstrap bookworm base (as container-build.test.ts builds it) in the shared cache's
 * OCI layout, built there first if this machine has not made it yet. Returns its layout ref.
 */
async function bootstrapBase(): Promise<string> {
  const refName = `imgbuild-bootstrap-${bootstrapKey({ suite: 'bookworm' }, EPOCH).slice(0, 32)}`;
  const has = (): boolean => {
    const index = path.join(SHARED_CACHE, 'index.json');
    if (!existsSync(index)) return false;
    const manifests = (JSON.parse(readFileSync(index, 'utf8')) as { manifests?: { annotations?: Record<string, string> }[] }).manifests ?? [];
    return manifests.some((m) => m.annotations?.['org.opencontainers.image.ref.name'] === refName);
  };
  if (!has()) {
    const dir = path.join(work, 'bootstrap');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'build.pkr.hcl'),
      `source "container" "base-e2ecorpus" {
  bootstrap {
    suite = "bookworm"
  }
  output = "oci:out:v1"
}
build {
  sources = ["source.container.base-e2ecorpus"]
}
`,
    );
    const r = await runCli(['build', 'build.pkr.hcl'], { cwd: dir, env: { IMGBUILD_CACHE_DIR: SHARED_CACHE, IMGBUILD_STATE_DIR: stateDir, SOURCE_DATE_EPOCH: String(EPOCH) }, timeoutMs: BUILD_TIMEOUT });
    expect(r.code).toBe(0);
  }
  expect(has()).toBe(true);
  return `oci:${SHARED_CACHE}:${refName}`;
}

/** Containers, overlay mounts and build dirs a build left under `cache` (its own, here). */
function leftovers(cache: string): { containers: string[]; mounts: string[]; buildDirs: string[] } {
  const tmp = path.join(cache, 'tmp');
  const listed = spawnSync('runc', ['list', '--format', 'json'], { encoding: 'utf8' }).stdout ?? '';
  const all = (JSON.parse(listed.trim() === '' ? 'null' : listed) ?? []) as { id: string; bundle: string }[];
  const containers = all.filter((c) => c.bundle.startsWith(`${tmp}/`)).map((c) => c.id);
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${work}/`));
  const buildDirs = existsSync(tmp) ? readdirSync(tmp) : [];
  return { containers, mounts, buildDirs };
}

test('Packer fix_upload_owner fixture builds unchanged with ubuntu from a local registry mirror', async () => {
  const dir = path.join(work, 'template');
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(CORPUS_DIR, CORPUS_FILE), path.join(dir, CORPUS_FILE));
  // The files it uploads, beside it.
  mkdirSync(path.join(dir, 'test-fixtures', 'onecakes'), { recursive: true });
  mkdirSync(path.join(dir, 'test-fixtures', 'manycakes', 'layer'), { recursive: true });
  writeFileSync(path.join(dir, 'test-fixtures', 'onecakes', 'strawberry'), 'strawberry\n');
  for (const f of ['chocolate', 'vanilla']) writeFileSync(path.join(dir, 'test-fixtures', 'manycakes', f), `${f}\n`);
  writeFileSync(path.join(dir, 'test-fixtures', 'manycakes', 'layer', 'lemon'), 'lemon\n');

  const base = await bootstrapBase();
  const registry = await startRegistry();
  // A cache of its own: the base really comes from the registry, and leftovers are this build's.
  const cache = path.join(work, 'cache');
  try {
    tool('skopeo', ['copy', '--dest-tls-verify=false', base, `docker://${registry.host}/library/ubuntu:latest`]);
    const r = await runCli(['build', '.'], {
      cwd: dir,
      env: { IMGBUILD_CACHE_DIR: cache, IMGBUILD_STATE_DIR: stateDir, SOURCE_DATE_EPOCH: String(EPOCH), IMGBUILD_REGISTRY_MIRRORS: `docker.io=${registry.host}` },
      timeoutMs: BUILD_TIMEOUT,
    });
    const out = r.stdout + r.stderr;
    expect(out).not.toMatch(/Invalid owner/);
    expect(r.code).toBe(0);
    expect(out).toMatch(/run_command is ignored/);
    expect(r.stdout).toContain(`Pulled docker.io/library/ubuntu:latest from mirror ${registry.host}/library/ubuntu:latest`);
    expect(r.stdout).toMatch(/Discarding the image/);
  } finally {
    await registry.stop();
  }
  expect(leftovers(cache)).toEqual({ containers: [], mounts: [], buildDirs: [] });
}, BUILD_TIMEOUT);

test('a mirror that lacks the base image falls back to the original registry, and says so', async () => {
  const dir = path.join(work, 'fallback');
  mkdirSync(dir, { recursive: true });
  const base = await bootstrapBase();
  const origin = await startRegistry();
  const mirror = await startRegistry();
  const cache = path.join(work, 'cache-fallback');
  try {
    tool('skopeo', ['copy', '--dest-tls-verify=false', base, `docker://${origin.host}/library/ubuntu:latest`]);
    writeFileSync(
      path.join(dir, 'build.pkr.hcl'),
      `source "docker" "fallback" {
  image   = "${origin.host}/library/ubuntu"
  discard = true
}
build {
  sources = ["source.docker.fallback"]
  provisioner "shell" {
    inline = ["test -x /bin/sh"]
  }
}
`,
    );
    const r = await runCli(['build', 'build.pkr.hcl'], {
      cwd: dir,
      env: { IMGBUILD_CACHE_DIR: cache, IMGBUILD_STATE_DIR: stateDir, SOURCE_DATE_EPOCH: String(EPOCH), IMGBUILD_REGISTRY_MIRRORS: `${origin.host}=${mirror.host}` },
      timeoutMs: BUILD_TIMEOUT,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Mirror ${mirror.host} does not have ${mirror.host}/library/ubuntu:latest; pulling from ${origin.host}`);
    expect(r.stdout).toContain(`Pulled ${origin.host}/library/ubuntu:latest from ${origin.host}`);
  } finally {
    await Promise.all([origin.stop(), mirror.stop()]);
  }
  expect(leftovers(cache)).toEqual({ containers: [], mounts: [], buildDirs: [] });
}, BUILD_TIMEOUT);
