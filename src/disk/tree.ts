// A cheap fingerprint of a directory tree (metadata only: paths, modes, owners, sizes,
// mtimes, link targets). It seeds the disk's ids, so an unchanged tree keeps its GUIDs,
// and its byte count sizes the disk when the caller gives no size. Directories are walked
// in parallel (the walk is metadata I/O on a cold cache) and combined as a Merkle tree, so
// the result does not depend on which directory finishes first.
import { createHash } from 'node:crypto';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

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

export async function summarizeTree(root: string): Promise<TreeSummary> {
  const d = await walk(root, '');
  return { fingerprint: d.hash, bytes: d.bytes, entries: d.entries };
}

async function walk(root: string, rel: string): Promise<DirSummary> {
  const names = (await readdir(join(root, rel))).sort();
  const metas = await Promise.all(
    names.map(async (n) => {
      const path = `${rel}/${n}`;
      const st = await lstat(join(root, path), { bigint: true });
      const link = st.isSymbolicLink() ? await readlink(join(root, path)) : '';
      const sub = st.isDirectory() ? await walk(root, path) : null;
      return { path, st, link, sub };
    }),
  );
  const hash = createHash('sha256');
  let bytes = 0;
  let entries = 0;
  for (const { path, st, link, sub } of metas) {
    entries += 1 + (sub?.entries ?? 0);
    bytes += (st.isFile() ? Math.ceil(Number(st.size) / 4096) * 4096 : 4096) + (sub?.bytes ?? 0);
    hash.update(`${path}\0${st.mode}\0${st.uid}\0${st.gid}\0${st.size}\0${st.mtimeNs}\0${link}\0${st.rdev}\0${sub?.hash ?? ''}\n`);
  }
  return { hash: hash.digest('hex'), bytes, entries };
}
