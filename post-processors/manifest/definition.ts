// The light half of the manifest post-processor: name, schema and prepare; index.ts adds
// process() and imports what it runs.
import { prepareConfig } from '../../src/core/config.js';
import type { PostProcessorDefinition } from '../../src/core/plugin.js';
import { manifestSchema, type ManifestConfig } from './config.js';

export const manifestDefinition: PostProcessorDefinition<ManifestConfig & { templateDir: string }> = {
  kind: 'post-processor',
  name: 'manifest',
  configSchema: manifestSchema,
  prepare(raw, ctx) {
    const p = prepareConfig(manifestSchema, raw);
    return { ...p, config: p.config ? { ...p.config, templateDir: ctx.templateDir } : null };
  },
};
