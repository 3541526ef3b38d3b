// The file provisioner: Packer's `file`, through whatever communicator the builder provides.
import { treeDigest } from '../../src/cache/tree-digest.js';
import type { Provisioner } from '../../src/core/plugin.js';
import type { Value } from '../../src/core/model/value.js';
import { fileSchema, prepareFile, type FileConfig } from './config.js';
import { runFile } from './run.js';

export type { FileConfig } from './config.js';

export const fileProvisioner: Provisioner<FileConfig> = {
  kind: 'provisioner',
  name: 'file',
  configSchema: fileSchema,
  prepare: (raw, ctx) => prepareFile(raw, ctx),
  provision: (ctx, config) => runFile(ctx, config),
  // Uploads depend on the bytes, names, modes and links under each source, not on mtimes
  // (digests memoised by file identity, so an unchanged tree costs a walk of lstat calls).
  // A download writes on this machine: never skipped, so null.
  async cacheInputs(config): Promise<Value> {
    if (config.direction === 'download') return null;
    if (config.content !== null) return {};
    const sources: Value[] = [];
    for (const src of config.sources) sources.push(await treeDigest(src));
    return { sources };
  },
};

export default fileProvisioner;
