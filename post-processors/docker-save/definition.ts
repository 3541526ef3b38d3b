// The light half of the docker-save post-processor: name, schema and prepare; index.ts adds
// process() and imports what it runs.
import { prepareConfig } from '../../src/core/config.js';
import type { PostProcessorDefinition } from '../../src/core/plugin.js';
import { dockerSaveSchema, type DockerSaveConfig } from './config.js';

export const dockerSaveDefinition: PostProcessorDefinition<DockerSaveConfig & { templateDir: string }> = {
  kind: 'post-processor',
  name: 'docker-save',
  configSchema: dockerSaveSchema,
  prepare(raw, ctx) {
    const p = prepareConfig(dockerSaveSchema, raw);
    return { ...p, config: p.config ? { ...p.config, templateDir: ctx.templateDir } : null };
  },
};
