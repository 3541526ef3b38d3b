// The light half of the checksum post-processor: name, schema and prepare; index.ts adds
// process() and imports what it runs.
import { prepareConfig } from '../../src/core/config.js';
import type { PostProcessorDefinition } from '../../src/core/plugin.js';
import { checksumSchema, type ChecksumConfig } from './config.js';

export const checksumDefinition: PostProcessorDefinition<ChecksumConfig & { templateDir: string }> = {
  kind: 'post-processor',
  name: 'checksum',
  configSchema: checksumSchema,
  prepare(raw, ctx) {
    const p = prepareConfig(checksumSchema, raw);
    return { ...p, config: p.config ? { ...p.config, templateDir: ctx.templateDir } : null };
  },
};
