// The light half of the container builder (`container` and `docker`): names, schemas,
// prepare and the resource kind it journals. It imports no driver, step, runtime or
// registry client, so `validate` of a container template loads none of them; index.ts
// adds the steps and the artifact for a build.
import type { BuilderDefinition } from '../../src/core/plugin.js';
import { CONTAINER_RESOURCE_KIND } from '../../src/runtime/types.js';
import { containerSchema, dockerSchema, prepareContainer, prepareDocker, type ContainerBuildConfig } from './config.js';

const common = {
  kind: 'builder' as const,
  communicatorType: () => 'container' as const,
  // `imgbuild cleanup` must know how to remove a build container a killed build left.
  resourceKinds: {
    names: [CONTAINER_RESOURCE_KIND],
    load: async () => [(await import('../../src/runtime/index.js')).containerResourceKind],
  },
};

export const containerDefinition: BuilderDefinition<ContainerBuildConfig> = {
  ...common,
  name: 'container',
  configSchema: containerSchema,
  prepare: prepareContainer,
};

export const dockerDefinition: BuilderDefinition<ContainerBuildConfig> = {
  ...common,
  name: 'docker',
  configSchema: dockerSchema,
  prepare: prepareDocker,
};
