// The light half of the vmware post-processor: name, schema and prepare; index.ts adds
// process() and imports what it runs.
import { prepareConfig } from '../../src/core/config.js';
import type { PostProcessorDefinition } from '../../src/core/plugin.js';
import { vmwareSchema, type VmwareConfig } from './config.js';

/** The config as prepare returns it and process receives it. */
export type Prepared = VmwareConfig & { templateDir: string };

export const vmwareDefinition: PostProcessorDefinition<Prepared> = {
  kind: 'post-processor',
  name: 'vmware',
  configSchema: vmwareSchema,
  prepare(raw, ctx) {
    const p = prepareConfig(vmwareSchema, raw);
    return { ...p, config: p.config ? { ...p.config, templateDir: ctx.templateDir } : null };
  },
};
