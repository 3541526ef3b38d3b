// The light half of the shell provisioner: name, schema, prepare and what the step cache
// hashes. The communicator code it runs is in run.ts, which only index.ts imports.
import type { ProvisionerDefinition } from '../../src/core/plugin.js';
import type { Value } from '../../src/core/model/value.js';
import { prepareShell, shellSchema, type ShellConfig } from './config.js';

export const shellDefinition: ProvisionerDefinition<ShellConfig> = {
  kind: 'provisioner',
  name: 'shell',
  configSchema: shellSchema,
  prepare: (raw, ctx) => prepareShell(raw, ctx),
  // Inline text is in the config already; script files count by content, not by path.
  async cacheInputs(config): Promise<Value> {
    const { fileDigest } = await import('../../src/cache/tree-digest.js');
    const scripts: Value[] = [];
    for (const p of config.scripts) scripts.push(await fileDigest(p));
    return { scripts };
  },
};
