// The bootable Debian disk local clouds seed their catalogs with, built by imgbuild itself
// (bin/imgbuild build images/debian-cloud.pkr.hcl: container build, then the disk
// post-processor) the first time it is needed, then cached under
// $IMGBUILD_CACHE_DIR/fake-clouds/<hash of the template>/ for every later run and process.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { withLockFile } from '../../../src/oci/lock.js';

const execFileP = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The repository root, from dist/test/fakes/machines/. */
const REPO_ROOT = path.resolve(HERE, '../../../..');
const TEMPLATE = path.join(REPO_ROOT, 'test', 'fakes', 'machines', 'images', 'debian-cloud.pkr.hcl');

export function cacheDir(): string {
  return process.env['IMGBUILD_CACHE_DIR'] || path.join(homedir(), '.cache', 'imgbuild');
}

/**
 * The path of the cached raw disk, building it first when absent (minutes: mmdebstrap,
 * a container build, the disk export; needs root for runc and overlayfs).
 */
export async function debianCloudDisk(log: (line: string) => void = () => undefined): Promise<string> {
  const template = await readFile(TEMPLATE, 'utf8');
  const key = createHash('sha256').update(template).digest('hex').slice(0, 16);
  const dir = path.join(cacheDir(), 'fake-clouds', `debian-cloud-${key}`);
  const disk = path.join(dir, 'debian-cloud.raw');
  if (await exists(disk)) return disk;
  await mkdir(path.dirname(dir), { recursive: true });
  return withLockFile(`${dir}.lock`, 'the fake clouds\' Debian disk', async () => {
    if (await exists(disk)) return disk;
    const work = `${dir}.building`;
    await rm(work, { recursive: true, force: true });
    log(`building the seed disk with imgbuild (cached in ${dir} afterwards)`);
    try {
      await execFileP(process.execPath, [path.join(REPO_ROOT, 'bin', 'imgbuild'), 'build', '-var', `output_directory=${work}`, TEMPLATE], {
        cwd: REPO_ROOT,
        // The epoch the e2e tests build templates/debian-vm with: same bootstrap key, one cached base.
        env: { ...process.env, CI: 'true', NO_COLOR: '1', IMGBUILD_CACHE_DIR: cacheDir(), SOURCE_DATE_EPOCH: '1700000000' },
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (e) {
      const out = e as { stdout?: string; stderr?: string };
      throw new Error(`building the seed disk failed: ${(out.stderr ?? '').trim() || (out.stdout ?? '').slice(-4000)}`, { cause: e });
    }
    await rm(path.join(work, 'oci'), { recursive: true, force: true });
    await rename(work, dir);
    return disk;
  }, 30 * 60_000);
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}
