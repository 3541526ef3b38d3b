// The shell-local provisioner: runs commands on the machine running imgbuild.
import type { Provisioner } from '../../src/core/plugin.js';
import { prepareShellLocal, shellLocalSchema, type ShellLocalConfig } from './config.js';
import { runShellLocal } from './driver.js';

export const shellLocalProvisioner: Provisioner<ShellLocalConfig> = {
  kind: 'provisioner',
  name: 'shell-local',
  configSchema: shellLocalSchema,
  prepare: (raw, ctx) => prepareShellLocal(raw, ctx),
  provision: (ctx, config) =>
    runShellLocal(config, { signal: ctx.signal, ui: ctx.ui, build: ctx.build, generated: ctx.generated, source: 'shell-local' }),
};
