// Test-only helpers shared by the OCI tests: temp dirs, trees from object literals, tar
// listings through independent readers (python3 tarfile).
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export async function tempDir(prefix = 'imgbuild-oci-test-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** `{ 'a/b.txt': 'text', 'dir/': null, 'link': { symlink: 'a' } }` */
export type TreeSpec = Record<string, string | null | { symlink: string } | { mode: number; content: string }>;

export async function writeTree(root: string, spec: TreeSpec): Promise<void> {
  for (const [rel, v] of Object.entries(spec)) {
    const abs = join(root, rel);
    if (v === null) {
      await mkdir(abs, { recursive: true });
      continue;
    }
    await mkdir(dirname(abs), { recursive: true });
    if (typeof v === 'string') await writeFile(abs, v);
    else if ('symlink' in v) await symlink(v.symlink, abs);
    else await writeFile(abs, v.content, { mode: v.mode });
  }
}

export interface ListedEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  size: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  pax: Record<string, string>;
}

/** Lists a tar (any compression) with Python's tarfile: an independent reader. */
export function pyList(path: string): ListedEntry[] {
  const script = `
import tarfile, json, sys
out = []
with tarfile.open(sys.argv[1], 'r:*') as t:
    for m in t:
        out.append(dict(name=m.name, type=m.type.decode('latin1'), mode=m.mode, uid=m.uid, gid=m.gid, uname=m.uname,
          gname=m.gname, mtime=m.mtime, size=m.size, linkname=m.linkname, devmajor=m.devmajor, devminor=m.devminor,
          pax={k: (v if isinstance(v, str) else v.decode('latin1')) for k, v in m.pax_headers.items()}))
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, path], { maxBuffer: 1 << 28 }).toString()) as ListedEntry[];
}

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}
