// The file provisioner: Packer's `file`, through whatever communicator the builder provides.
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Provisioner } from '../../src/core/plugin.js';
import type { Value } from '../../src/template/value.js';
import { fileSchema, prepareFile, type FileConfig } from './config.js';
import { runFile } from './run.js';

export type { FileConfig } from './config.js';

export const fileProvisioner: Provisioner<FileConfig> = {
  kind: 'provisioner',
  name: 'file',
  configSchema: fileSchema,
  prepare: (raw, ctx) => prepareFile(raw, ctx),
  provision: (ctx, config) => runFile(ctx, config),
  // Uploads depend on the bytes, names, modes and links under each source, not on mtimes.
  async cacheInputs(config): Promise<Value> {
    if (config.direction === 'download' || config.content !== null) return {};
    const sources: Value[] = [];
    for (const src of config.sources) sources.push(await treeDigest(src));
    return { sources };
  },
};

export default fileProvisioner;

/** sha256 over a sorted walk: `path mode kind digest` per entry. */
export async function treeDigest(root: string): Promise<string> {
  const h = createHash('sha256');
  const walk = async (abs: string, rel: string): Promise<void> => {
    const st = await lstat(abs);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) h.update(`${rel}\0${mode}\0l\0${await readlink(abs)}\n`);
    else if (st.isFile()) h.update(`${rel}\0${mode}\0f\0${createHash('sha256').update(await readFile(abs)).digest('hex')}\n`);
    else if (st.isDirectory()) {
      h.update(`${rel}\0${mode}\0d\n`);
      const names = (await readdir(abs)).sort();
      for (const n of names) await walk(join(abs, n), rel === '' ? n : `${rel}/${n}`);
    }
  };
  await walk(root.endsWith('/') && root.length > 1 ? root.slice(0, -1) : root, '');
  return h.digest('hex');
}
