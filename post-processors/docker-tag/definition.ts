// The light half of the docker-tag post-processor: name, schema and prepare; index.ts adds
// process() and imports what it runs.
import { prepareConfig } from '../../src/core/config.js';
import type { PostProcessorDefinition } from '../../src/core/plugin.js';
import { dockerTagSchema, type DockerTagConfig } from './config.js';

export const dockerTagDefinition: PostProcessorDefinition<DockerTagConfig> = {
  kind: 'post-processor',
  name: 'docker-tag',
  configSchema: dockerTagSchema,
  // Packer's old single `tag` key is the list `tags`.
  prepare: (raw) => prepareConfig(dockerTagSchema, raw, { aliases: { tag: 'tags' } }),
};
