// A cheap fingerprint of a directory tree (metadata only: paths, modes, owners, sizes,
// mtimes, link targets). It seeds the disk's ids, so an unchanged tree keeps its GUIDs,
// and its byte count sizes the disk when the caller gives no size. Each directory's entries
// are hashed in sorted order and the directories combined as a Merkle tree.
//
// The walk uses the synchronous calls: one syscall per entry with no promise or thread-pool
// hop. On the 15k-entry Debian rootfs of bench/disk-export.sh that is ~0.09 s on a warm cache
// against ~0.4 s for a walk of fs/promises calls in parallel, and no slower on a cold one (the
// disk, not the number of calls in flight, bounds it then). It yields to the event loop every
// thousand entries, so a signal or a progress renderer is never held up for long.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export interface TreeSummary {
  fingerprint: string;
  /** Sum of regular file sizes rounded up to 4 KiB blocks, plus one block per other entry. */
  bytes: number;
  entries: number;
}

interface DirSummary {
  hash: string;
  bytes: number;
  entries: number;
}

/** Entries walked between two turns of the event loop. */
const YIELD_EVERY = 1000;

interface WalkState {
  sinceYield: number;
  onFile: ((abs: string) => void) | undefined;
}

/**
 * `onFile` is called with each regular file that holds data, as it is found: depth first, names
 * sorted, which is the order mke2fs -d reads them in.
 */
export async function summarizeTree(root: string, o: { onFile?: (abs: string) => void } = {}): Promise<TreeSummary> {
  // Paths are joined by concatenation: path.join's normalising was a third of a warm walk.
  const d = await walk(root.replace(/\/+$/, ''), '', { sinceYield: 0, onFile: o.onFile });
  return { fingerprint: d.hash, bytes: d.bytes, entries: d.entries };
}

/** `base`: the root without a trailing slash (so '' for /); `rel`: '' or '/a/b'. */
async function walk(base: string, rel: string, state: WalkState): Promise<DirSummary> {
  const hash = createHash('sha256');
  let bytes = 0;
  let entries = 0;
  for (const n of readdirSync(base + rel || '/').sort()) {
    const path = `${rel}/${n}`;
    const abs = base + path;
    const st = lstatSync(abs, { bigint: true });
    const link = st.isSymbolicLink() ? readlinkSync(abs) : '';
    if (st.isFile() && st.size > 0n) state.onFile?.(abs);
    if (++state.sinceYield >= YIELD_EVERY) {
      state.sinceYield = 0;
      await yieldToLoop();
    }
    const sub = st.isDirectory() ? await walk(base, path, state) : null;
    entries += 1 + (sub?.entries ?? 0);
    bytes += (st.isFile() ? Math.ceil(Number(st.size) / 4096) * 4096 : 4096) + (sub?.bytes ?? 0);
    hash.update(`${path}\0${st.mode}\0${st.uid}\0${st.gid}\0${st.size}\0${st.mtimeNs}\0${link}\0${st.rdev}\0${sub?.hash ?? ''}\n`);
  }
  return { hash: hash.digest('hex'), bytes, entries };
}
