// The light half of the file provisioner: name, schema, prepare and what the step cache
// hashes. The communicator code it runs is in run.ts, which only index.ts imports.
import type { ProvisionerDefinition } from '../../src/core/plugin.js';
import type { Value } from '../../src/core/model/value.js';
import { fileSchema, prepareFile, type FileConfig } from './config.js';

export const fileDefinition: ProvisionerDefinition<FileConfig> = {
  kind: 'provisioner',
  name: 'file',
  configSchema: fileSchema,
  prepare: (raw, ctx) => prepareFile(raw, ctx),
  // Uploads depend on the bytes, names, modes and links under each source, not on mtimes
  // (digests memoised by file identity, so an unchanged tree costs a walk of lstat calls).
  // A download writes on this machine: never skipped, so null.
  async cacheInputs(config): Promise<Value> {
    if (config.direction === 'download') return null;
    if (config.content !== null) return {};
    const { treeDigest } = await import('../../src/cache/tree-digest.js');
    const sources: Value[] = [];
    for (const src of config.sources) sources.push(await treeDigest(src));
    return { sources };
  },
};
