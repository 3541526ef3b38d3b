// The light half of the shell-local post-processor: name, schema and prepare; index.ts adds
// process() and imports what it runs.
import { prepareShellLocal, shellLocalSchema, type ShellLocalConfig } from '../../src/shell-local/config.js';
import type { PostProcessorDefinition } from '../../src/core/plugin.js';
import { shellLocalPostExtra } from './config.js';

export const shellLocalPostDefinition: PostProcessorDefinition<ShellLocalConfig> = {
  kind: 'post-processor',
  name: 'shell-local',
  configSchema: shellLocalSchema.extend(shellLocalPostExtra),
  prepare: (raw, ctx) => prepareShellLocal(raw, ctx, shellLocalPostExtra),
};
