// Content digests of the files and trees provisioners upload, for their cache keys, without
// re-reading unchanged files: each file's sha256 is remembered with its identity (device,
// inode, size, mtime and ctime in ns), as git's index does. ctime cannot be set by users, so
// new content under a restored mtime is still seen; a touch alone re-hashes and gives the
// same digest. One memo file per tree keeps a no-change rebuild to a walk of lstat calls.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readFile, readdir, readlink, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultCacheDir } from '../oci/cache-dir.js';
import { stepsDir } from './settings.js';

type Memo = Record<string, { id: string; sha: string }>;

/**
 * sha256 over a sorted walk, one `path NUL mode NUL kind NUL (digest|target)` line per
 * entry; paths relative to `root`, so the digest does not depend on where the tree is.
 */
export async function treeDigest(root: string, cacheDir: string = defaultCacheDir()): Promise<string> {
  return (await digestWithMemo(root, cacheDir)).digest;
}

/** sha256 hex of one file's content (a lone file is a tree whose only entry is itself). */
export async function fileDigest(file: string, cacheDir: string = defaultCacheDir()): Promise<string> {
  const { memo } = await digestWithMemo(file, cacheDir);
  return memo['']?.sha ?? fileSha256(file);
}

async function digestWithMemo(root: string, cacheDir: string): Promise<{ digest: string; memo: Memo }> {
  const top = root.endsWith('/') && root.length > 1 ? root.slice(0, -1) : root;
  const memoPath = path.join(stepsDir(cacheDir), 'memo', `tree-${createHash('sha256').update(path.resolve(top)).digest('hex').slice(0, 40)}.json`);
  const old = await readMemo(memoPath);
  const next: Memo = {};
  let changed = false;
  const h = createHash('sha256');
  const walk = async (abs: string, rel: string): Promise<void> => {
    const st = await lstat(abs, { bigint: true });
    const mode = (Number(st.mode) & 0o7777).toString(8);
    if (st.isSymbolicLink()) h.update(`${rel}\0${mode}\0l\0${await readlink(abs)}\n`);
    else if (st.isFile()) {
      const id = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
      const known = old[rel];
      let sha = known?.id === id ? known.sha : null;
      if (sha === null) {
        sha = await fileSha256(abs);
        changed = true;
      }
      next[rel] = { id, sha };
      h.update(`${rel}\0${mode}\0f\0${sha}\n`);
    } else if (st.isDirectory()) {
      h.update(`${rel}\0${mode}\0d\n`);
      for (const n of (await readdir(abs)).sort()) await walk(path.join(abs, n), rel === '' ? n : `${rel}/${n}`);
    }
  };
  await walk(top, '');
  if (changed || Object.keys(old).length !== Object.keys(next).length) await writeMemo(memoPath, next);
  return { digest: h.digest('hex'), memo: next };
}

async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) h.update(c);
  return h.digest('hex');
}

async function readMemo(p: string): Promise<Memo> {
  try {
    const v = JSON.parse(await readFile(p, 'utf8')) as unknown;
    return v !== null && typeof v === 'object' ? (v as Memo) : {};
  } catch {
    return {};
  }
}

async function writeMemo(p: string, m: Memo): Promise<void> {
  const tmp = `${p}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(path.dirname(p), { recursive: true });
    await writeFile(tmp, JSON.stringify(m));
    await rename(tmp, p);
  } catch {
    // Only costs re-hashing next time.
    await rm(tmp, { force: true });
  }
}
