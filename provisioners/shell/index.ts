// The shell provisioner: Packer's `shell`, run through whatever communicator the builder
// provides (the container builder's runs it in the build container).
import type { Provisioner } from '../../src/core/plugin.js';
import type { ShellConfig } from './config.js';
import { shellDefinition } from './definition.js';
import { runShell } from './run.js';

export { describeShell } from './run.js';
export type { ShellConfig } from './config.js';

export const shellProvisioner: Provisioner<ShellConfig> = {
  ...shellDefinition,
  provision: (ctx, config) => runShell(ctx, config),
};

export default shellProvisioner;
