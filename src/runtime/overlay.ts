// overlayfs mounts for build steps: the image layers (and each earlier step's upper dir)
// are read-only lowers, a fresh upper dir receives exactly what one provisioner changes.
import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { BuildError, EnvironmentError } from '../core/errors.js';
import { lastLine, runTool } from './tool.js';

export interface OverlayMount {
  /** Lower directories, top layer first (overlayfs order). */
  lowerdirs: readonly string[];
  /** '' for a read-only overlay (then at least two lowers). */
  upper: string;
  work: string;
  target: string;
  /**
   * Where short symlinks to the lowers go when the mount options would exceed the kernel's
   * one-page limit; default `<work>.l`. Removed by unmountOverlay's caller with the build dir.
   */
  linkDir?: string;
}

/** The kernel copies mount data into one page; keep a margin for upper/work. */
const MAX_OPTIONS = 3800;

export async function mountOverlay(m: OverlayMount): Promise<void> {
  await assertOverlaySupported();
  if (m.lowerdirs.length === 0) {
    throw new BuildError(`mount overlay ${m.target}: no lower directory given`, { source: 'internal' });
  }
  for (const dir of [...m.lowerdirs, m.upper, m.work]) {
    if (/[:,\\]/.test(dir)) {
      throw new BuildError(`mount overlay ${m.target}: directory ${dir} contains ':' ',' or '\\'; move the cache/build dir to a plainer path`);
    }
  }
  let lowers = m.lowerdirs.join(':');
  let cwd: string | undefined;
  if (lowers.length + m.upper.length + m.work.length + 40 > MAX_OPTIONS) {
    // Docker's overlay2 trick: short relative names resolved from the mount's cwd.
    const linkDir = m.linkDir ?? `${m.work}.l`;
    await rm(linkDir, { recursive: true, force: true });
    await mkdir(linkDir, { recursive: true });
    await Promise.all(m.lowerdirs.map((d, i) => symlink(path.resolve(d), path.join(linkDir, i.toString(36)))));
    lowers = m.lowerdirs.map((_, i) => i.toString(36)).join(':');
    cwd = linkDir;
    if (lowers.length + m.upper.length + m.work.length + 40 > MAX_OPTIONS) {
      throw new BuildError(`mount overlay ${m.target}: ${m.lowerdirs.length} layers exceed the kernel's mount option limit; squash the base image`);
    }
  }
  // No upper: a read-only view of the lowers (export of the final tree).
  const options = m.upper === '' ? `lowerdir=${lowers}` : `lowerdir=${lowers},upperdir=${m.upper},workdir=${m.work}`;
  const res = await runTool('mount', ['-t', 'overlay', 'overlay', '-o', options, m.target], cwd === undefined ? {} : { cwd });
  if (res.code !== 0) {
    throw new EnvironmentError(`mount overlay on ${m.target}: ${lastLine(res.stderr)}; check that the build dir is not itself on overlayfs and that you are root`, {
      code: 'E_MOUNT',
    });
  }
}

/** Unmounts, retrying while busy; "not mounted" counts as done. */
export async function unmount(target: string, opts: { retries?: number; delayMs?: number } = {}): Promise<void> {
  const retries = opts.retries ?? 10;
  let delay = opts.delayMs ?? 50;
  let last = '';
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (!(await isMounted(target))) return;
    const res = await runTool('umount', [target]);
    if (res.code === 0) return;
    last = lastLine(res.stderr);
    if (/not mounted|no mount point|No such file/i.test(last)) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 1000);
  }
  throw new EnvironmentError(`umount ${target}: ${last} after ${retries + 1} attempts; find the process holding it with \`fuser -m ${target}\``, {
    code: 'E_UMOUNT',
  });
}

export async function isMounted(target: string): Promise<boolean> {
  const abs = path.resolve(target);
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  return mounts.split('\n').some((line) => unescapeMountPath(line.split(' ')[1] ?? '') === abs);
}

let overlayChecked = false;

export async function assertOverlaySupported(): Promise<void> {
  if (overlayChecked) return;
  const fs = await readFile('/proc/filesystems', 'utf8').catch(() => '');
  if (!/\boverlay\b/.test(fs)) {
    // The module may simply not be loaded yet; mount(8) would autoload it, so try that once.
    const probe = await runTool('modprobe', ['overlay']).catch(() => null);
    const again = await readFile('/proc/filesystems', 'utf8').catch(() => '');
    if (!/\boverlay\b/.test(again)) {
      throw new EnvironmentError(
        `overlayfs: not supported by this kernel (modprobe overlay: ${probe ? lastLine(probe.stderr) : 'unavailable'}); the container builder needs overlayfs, run it on a Linux host with the overlay module`,
        { code: 'E_NO_OVERLAY' },
      );
    }
  }
  overlayChecked = true;
}

function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
