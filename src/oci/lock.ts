// A lock file made with O_EXCL holding the owner's pid: cheap, works across processes on a
// local filesystem, and a lock left by a dead process is taken over.
import { open, readFile, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { OciError, wrapFsError } from './errors.js';

export async function withLockFile<T>(path: string, what: string, fn: () => Promise<T>, timeoutMs = 10 * 60_000): Promise<T> {
  const release = await acquire(path, what, timeoutMs);
  try {
    return await fn();
  } finally {
    await release?.();
  }
}

export async function acquire(path: string, what: string, timeoutMs: number, done?: () => Promise<boolean>): Promise<(() => Promise<void>) | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      await fh.write(String(process.pid));
      await fh.close();
      const release = (): Promise<void> => unlink(path).catch(() => undefined);
      // The previous holder may have finished the work while we waited.
      if (done && (await done())) {
        await release();
        return null;
      }
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw wrapFsError(`lock ${what}`, e);
    }
    if (done && (await done())) return null;
    const pid = Number(await readFile(path, 'utf8').catch(() => ''));
    if (pid > 0 && !alive(pid)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) throw new OciError('E_OCI_LOCK', `${what}: timed out waiting for lock ${path} (held by pid ${pid})`);
    await sleep(50);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
