// The light half of the ova post-processor: name, schema and prepare; index.ts adds
// process() and imports what it runs.
import { prepareConfig } from '../../src/core/config.js';
import type { PostProcessorDefinition } from '../../src/core/plugin.js';
import { ovaSchema, type OvaConfig } from './config.js';

/** The config as prepare returns it and process receives it. */
export type Prepared = OvaConfig & { templateDir: string };

export const ovaDefinition: PostProcessorDefinition<Prepared> = {
  kind: 'post-processor',
  name: 'ova',
  configSchema: ovaSchema,
  prepare(raw, ctx) {
    const p = prepareConfig(ovaSchema, raw);
    return { ...p, config: p.config ? { ...p.config, templateDir: ctx.templateDir } : null };
  },
};
