// The file provisioner: Packer's `file`, through whatever communicator the builder provides.
import type { Provisioner } from '../../src/core/plugin.js';
import type { FileConfig } from './config.js';
import { fileDefinition } from './definition.js';
import { runFile } from './run.js';

export type { FileConfig } from './config.js';

export const fileProvisioner: Provisioner<FileConfig> = {
  ...fileDefinition,
  provision: (ctx, config) => runFile(ctx, config),
};

export default fileProvisioner;
