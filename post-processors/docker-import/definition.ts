// The light half of the docker-import post-processor: name, schema and prepare; index.ts
// adds process() with its Docker CLI driver.
import { prepareConfig } from '../../src/core/config.js';
import type { PostProcessorDefinition } from '../../src/core/plugin.js';
import { dockerImportSchema, type DockerImportConfig } from './config.js';

export const dockerImportDefinition: PostProcessorDefinition<DockerImportConfig> = {
  kind: 'post-processor',
  name: 'docker-import',
  configSchema: dockerImportSchema,
  prepare: (raw) =>
    prepareConfig(dockerImportSchema, raw, {
      ignored: { changes: 'changes are applied by the container builder (its `changes` key), not at import' },
    }),
};
