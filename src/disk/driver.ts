// Side effects of disk building behind one small interface: host tools and the overlay
// mount that adds /etc/fstab to a caller's tree without touching it. Tests can swap it.
import { BuildError, EnvironmentError, isImgbuildError } from '../core/errors.js';
import { lastLine, runTool } from '../runtime/tool.js';

export interface RunOptions {
  env?: Record<string, string>;
  signal?: AbortSignal;
  cwd?: string;
}

export interface DiskDriver {
  /** Runs a tool to completion; throws a typed error naming it when it fails. Returns stdout. */
  run(bin: string, args: readonly string[], opts?: RunOptions): Promise<string>;
  mountOverlay(o: { lower: string; upper: string; work: string; target: string }): Promise<void>;
  unmount(target: string): Promise<void>;
}

/** Debian package shipping each tool, for the "install it" hint. */
export const DISK_TOOL_PACKAGES: Readonly<Record<string, string>> = {
  'mke2fs': 'e2fsprogs',
  'mkfs.vfat': 'dosfstools',
  'mcopy': 'mtools',
  'grub-mkimage': 'grub-common',
  'qemu-img': 'qemu-utils',
  'mount': 'mount',
  'umount': 'mount',
};

export const hostDiskDriver: DiskDriver = {
  async run(bin, args, opts = {}) {
    let res;
    try {
      res = await runTool(bin, args, {
        env: { ...process.env, ...opts.env },
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
      });
    } catch (e) {
      if (isImgbuildError(e) && e.code === 'E_TOOL_MISSING') {
        const pkg = DISK_TOOL_PACKAGES[bin] ?? bin;
        throw new EnvironmentError(`${bin}: executable not found in PATH; install it with \`apt-get install -y ${pkg}\``, {
          code: 'E_TOOL_MISSING',
          cause: e,
        });
      }
      throw e;
    }
    if (res.code !== 0) {
      throw new BuildError(`${bin} ${args[0] ?? ''}: exited ${res.signal ?? res.code}: ${lastLine(res.stderr || res.stdout)}`, {
        code: 'E_DISK_TOOL',
        source: 'environment',
      });
    }
    return res.stdout;
  },
  async mountOverlay({ lower, upper, work, target }) {
    // Options keep the merged view a plain tree: no redirects or metacopy that mke2fs would
    // see as odd xattrs, and inode numbers stable enough to find hard links. `volatile`: the
    // upper is scratch, so unmounting need not syncfs the whole host filesystem it lives on
    // (tens to hundreds of ms when other work has dirty data there); kernels before 5.10 lack it.
    const opts = `lowerdir=${lower},upperdir=${upper},workdir=${work},redirect_dir=off,metacopy=off`;
    try {
      await this.run('mount', ['-t', 'overlay', 'overlay', '-o', `${opts},volatile`, target]);
    } catch {
      await this.run('mount', ['-t', 'overlay', 'overlay', '-o', opts, target]);
    }
  },
  async unmount(target) {
    await this.run('umount', [target]);
  },
};
