// The light half of the shell-local provisioner: name, schema and prepare (see index.ts).
import type { ProvisionerDefinition } from '../../src/core/plugin.js';
import { prepareShellLocal, shellLocalSchema, type ShellLocalConfig } from '../../src/shell-local/config.js';

export const shellLocalDefinition: ProvisionerDefinition<ShellLocalConfig> = {
  kind: 'provisioner',
  name: 'shell-local',
  configSchema: shellLocalSchema,
  prepare: (raw, ctx) => prepareShellLocal(raw, ctx),
};
