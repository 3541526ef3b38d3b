// The null builder: creates nothing, so provisioners and post-processors can be run and
// tested on their own (Packer's `source "null"`).
import { PACKER_BUILDER_IDS } from '../../src/core/builder-ids.js';
import type { Artifact, Builder } from '../../src/core/plugin.js';
import { COMMUNICATOR, GENERATED_DATA } from '../../src/core/build-state.js';
import { PROVISION_STEP } from '../../src/core/plugin.js';
import { NoneCommunicator } from '../../src/core/none-communicator.js';
import type { NullConfig } from './config.js';
import { nullDefinition } from './definition.js';

export const NULL_BUILDER_ID = PACKER_BUILDER_IDS.null;

export const nullBuilder: Builder<NullConfig> = {
  ...nullDefinition,

  steps: () => [
    {
      name: 'null',
      run(ctx) {
        ctx.state.set(GENERATED_DATA, { ...(ctx.state.get(GENERATED_DATA) ?? {}), ID: 'Null' });
        ctx.state.set(COMMUNICATOR, new NoneCommunicator());
        return Promise.resolve();
      },
    },
    PROVISION_STEP,
  ],

  artifact(): Artifact {
    return {
      builderId: NULL_BUILDER_ID,
      id: 'Null',
      files: [],
      description: 'Did not export anything. This is the null builder',
      state: {},
      destroy: () => Promise.resolve(),
    };
  },
};
