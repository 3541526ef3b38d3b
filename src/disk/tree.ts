// A cheap fingerprint of a directory tree (metadata only: paths, modes, owners, sizes,
// mtimes, link targets). It seeds the disk's ids, so an unchanged tree keeps its GUIDs,
// and its byte count sizes the disk when the caller gives no size.
import { createHash } from 'node:crypto';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface TreeSummary {
  fingerprint: string;
  /** Sum of regular file sizes rounded up to 4 KiB blocks, plus one block per other entry. */
  bytes: number;
  entries: number;
}

export async function summarizeTree(root: string): Promise<TreeSummary> {
  const hash = createHash('sha256');
  let bytes = 0;
  let entries = 0;
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(root, rel))).sort();
    const stats = await Promise.all(names.map((n) => lstat(join(root, rel, n), { bigint: true })));
    const subdirs: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const st = stats[i];
      const path = `${rel}/${names[i] ?? ''}`;
      if (!st) continue;
      entries++;
      bytes += st.isFile() ? Math.ceil(Number(st.size) / 4096) * 4096 : 4096;
      const link = st.isSymbolicLink() ? await readlink(join(root, path)) : '';
      hash.update(`${path}\0${st.mode}\0${st.uid}\0${st.gid}\0${st.size}\0${st.mtimeNs}\0${link}\0${st.rdev}\n`);
      if (st.isDirectory()) subdirs.push(path);
    }
    for (const d of subdirs) await walk(d);
  };
  await walk('');
  return { fingerprint: hash.digest('hex'), bytes, entries };
}
