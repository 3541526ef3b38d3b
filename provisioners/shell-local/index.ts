// The shell-local provisioner: runs commands on the machine running imgbuild.
import type { Provisioner } from '../../src/core/plugin.js';
import type { ShellLocalConfig } from '../../src/shell-local/config.js';
import { shellLocalDefinition } from './definition.js';
import { runShellLocal } from '../../src/shell-local/run.js';

export const shellLocalProvisioner: Provisioner<ShellLocalConfig> = {
  ...shellLocalDefinition,
  provision: (ctx, config) =>
    runShellLocal(config, { signal: ctx.signal, ui: ctx.ui, build: ctx.build, generated: ctx.generated, source: 'shell-local' }),
};
