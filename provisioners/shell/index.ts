// The shell provisioner: Packer's `shell`, run through whatever communicator the builder
// provides (the container builder's runs it in the build container).
import { fileDigest } from '../../src/cache/tree-digest.js';
import type { Provisioner } from '../../src/core/plugin.js';
import type { Value } from '../../src/core/model/value.js';
import { prepareShell, shellSchema, type ShellConfig } from './config.js';
import { runShell } from './run.js';

export { describeShell } from './run.js';
export type { ShellConfig } from './config.js';

export const shellProvisioner: Provisioner<ShellConfig> = {
  kind: 'provisioner',
  name: 'shell',
  configSchema: shellSchema,
  prepare: (raw, ctx) => prepareShell(raw, ctx),
  provision: (ctx, config) => runShell(ctx, config),
  // Inline text is in the config already; script files count by content, not by path.
  async cacheInputs(config): Promise<Value> {
    const scripts: Value[] = [];
    for (const p of config.scripts) scripts.push(await fileDigest(p));
    return { scripts };
  },
};

export default shellProvisioner;
