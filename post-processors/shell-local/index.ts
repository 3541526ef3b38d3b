// The shell-local post-processor: runs commands on this host after the build; the input
// artifact passes through unchanged (Packer forces keep_input_artifact for it).
import type { PostProcessor } from '../../src/core/plugin.js';
import type { ShellLocalConfig } from '../../src/shell-local/config.js';
import { runShellLocal } from '../../src/shell-local/run.js';
import { shellLocalPostDefinition } from './definition.js';

export const shellLocalPostProcessor: PostProcessor<ShellLocalConfig> = {
  ...shellLocalPostDefinition,

  async process(ctx, input, config) {
    await runShellLocal(config, {
      signal: ctx.signal,
      ui: ctx.ui,
      build: ctx.build,
      generated: ctx.generated,
      source: 'shell-local',
    });
    return { artifact: input, keepInput: true, forceOverride: true };
  },
};
