// Reading a tree's files ahead of `mke2fs -d`. mke2fs reads one file after another, so on a
// cold page cache it waits on one read at a time: the 668 MB Debian rootfs of
// bench/disk-export.sh takes ~2.6 s to read that way here, ~1.1 s with a few reads in flight.
// While mke2fs runs we read the same files in its order (depth first, names sorted) into a
// scratch buffer, which leaves them in the page cache for mke2fs; the bytes are dropped. On a
// warm cache that only costs memory copies (~0.1 s here), so the caller starts it only when
// the tree walk found the metadata uncached (see coldWalk).
import { open, type FileHandle } from 'node:fs/promises';

const CHUNK = 1024 * 1024;

/**
 * Whether a metadata walk of `entries` taking `ms` waited on the disk: from the page cache
 * one entry costs ~5-10 µs here (Node's lstat included), from the disk ~20-30 µs.
 */
export function coldWalk(entries: number, ms: number): boolean {
  return entries > 0 && (ms * 1000) / entries > 15;
}

export interface Prefetch {
  /** Stops reading; resolves when no read is in flight. */
  stop(): Promise<void>;
}

/** Reads `files` `concurrency` at a time until all are read, `maxBytes` are read, or stop(). */
export function prefetchFiles(files: readonly string[], o: { concurrency: number; maxBytes: number }): Prefetch {
  let next = 0;
  let left = o.maxBytes;
  let stopped = false;
  const reader = async (): Promise<void> => {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let path = files[next++]; path !== undefined && !stopped && left > 0; path = files[next++]) {
      let fh: FileHandle | undefined;
      try {
        fh = await open(path, 'r');
        for (let n = CHUNK; n === CHUNK && !stopped; left -= n) n = (await fh.read(buf, 0, CHUNK, null)).bytesRead;
      } catch {
        // Gone or unreadable: mke2fs, reading it for real, says so.
      } finally {
        await fh?.close().catch(() => undefined);
      }
    }
  };
  const done = Promise.all(Array.from({ length: o.concurrency }, reader));
  return {
    async stop() {
      stopped = true;
      await done;
    },
  };
}
