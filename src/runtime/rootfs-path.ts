// Resolving a path inside a container's root filesystem from the host. Symlinks in the
// image are followed the way a process inside the container would see them (an absolute
// link target starts again at the root, `..` stops at the root), so a link such as
// `/etc/x -> /../../host/secret` can never take a host-side read or write outside the root.
import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';
import { BuildError } from '../core/errors.js';

const MAX_LINKS = 40;

export interface ResolveOptions {
  /** Follow a symlink in the last component too (default true: what `cat`/`cp` would do). */
  followFinal?: boolean;
}

/**
 * Host path of `containerPath` inside `root`. A `..` in the caller's own path that climbs
 * above the root is refused; `..` coming from an image symlink is clamped at the root, as
 * the kernel does inside the container.
 */
export async function resolveInRoot(root: string, containerPath: string, opts: ResolveOptions = {}): Promise<string> {
  const followFinal = opts.followFinal ?? true;
  const rootAbs = path.resolve(root);
  // Each pending component remembers whether it came from the caller (strict) or a link.
  let pending: { name: string; fromLink: boolean }[] = split(containerPath).map((name) => ({ name, fromLink: false }));
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const next = pending.shift();
    if (next === undefined) break;
    const { name, fromLink } = next;
    if (name === '..') {
      if (resolved.length === 0) {
        if (!fromLink) {
          throw new BuildError(`path ${containerPath}: climbs above the container root; use a path inside it`, {
            code: 'E_PATH_ESCAPE',
          });
        }
        continue;
      }
      resolved.pop();
      continue;
    }
    const hostPath = path.join(rootAbs, ...resolved, name);
    let isLink = false;
    try {
      isLink = (await lstat(hostPath)).isSymbolicLink();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ENOTDIR') throw e;
    }
    if (isLink && (pending.length > 0 || followFinal)) {
      if (++links > MAX_LINKS) {
        throw new BuildError(`path ${containerPath}: too many levels of symbolic links inside the container root`, {
          code: 'E_PATH_LOOP',
        });
      }
      const target = await readlink(hostPath);
      if (target.startsWith('/')) resolved.length = 0;
      pending = [...split(target).map((n) => ({ name: n, fromLink: true })), ...pending];
      continue;
    }
    resolved.push(name);
  }
  return path.join(rootAbs, ...resolved);
}

function split(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}
