// The light half of the null builder: name, schema, prepare (see index.ts).
import { diagnosticAt, prepareConfig } from '../../src/core/config.js';
import type { BuilderDefinition, RawConfig } from '../../src/core/plugin.js';
import { connectionKeys, nullConfigSchema, type NullConfig } from './config.js';

export const nullDefinition: BuilderDefinition<NullConfig> = {
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
};
