// The null builder: creates nothing, so provisioners and post-processors can be run and
// tested on their own (Packer's `source "null"`).
import { PACKER_BUILDER_IDS } from '../../src/core/builder-ids.js';
import { prepareConfig, diagnosticAt } from '../../src/core/config.js';
import type { Artifact, Builder, RawConfig } from '../../src/core/plugin.js';
import { COMMUNICATOR, GENERATED_DATA } from '../../src/core/build-state.js';
import { PROVISION_STEP } from '../../src/core/plugin.js';
import { NoneCommunicator } from '../../src/core/none-communicator.js';
import { connectionKeys, nullConfigSchema, type NullConfig } from './config.js';

export const NULL_BUILDER_ID = PACKER_BUILDER_IDS.null;

export const nullBuilder: Builder<NullConfig> = {
  kind: 'builder',
  name: 'null',
  configSchema: nullConfigSchema,

  prepare(raw: RawConfig) {
    const prepared = prepareConfig(nullConfigSchema, raw);
    const config = prepared.config;
    if (config && config.communicator !== 'none') {
      prepared.warnings.push(
        diagnosticAt(
          raw,
          ['communicator'],
          'Communicator not supported by the null builder',
          `imgbuild's null builder does not connect to a machine, so communicator "${config.communicator}" is ignored ` +
            'and provisioners that need one (shell, file) will fail. Use communicator = "none" with shell-local.',
          'warning',
        ),
      );
    } else if (config) {
      for (const key of connectionKeys) {
        if (key in raw.values) {
          prepared.warnings.push(
            diagnosticAt(raw, [key], 'Argument is ignored', `"${key}" has no effect with communicator = "none".`, 'warning'),
          );
        }
      }
    }
    return prepared;
  },

  communicatorType: () => 'none',

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
