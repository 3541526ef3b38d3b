// The light half of the disk post-processor: name, schema and prepare; index.ts adds
// process() and imports what it runs.
import { prepareConfig } from '../../src/core/config.js';
import type { PostProcessorDefinition } from '../../src/core/plugin.js';
import { diskSchema, type DiskConfig } from './config.js';

/** The config as prepare returns it and process receives it. */
export type Prepared = DiskConfig & { templateDir: string };

export const diskDefinition: PostProcessorDefinition<Prepared> = {
  kind: 'post-processor',
  name: 'disk',
  configSchema: diskSchema,
  prepare(raw, ctx) {
    const p = prepareConfig(diskSchema, raw);
    return { ...p, config: p.config ? { ...p.config, templateDir: ctx.templateDir } : null };
  },
};
