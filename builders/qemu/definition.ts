// The light half of the qemu builder: name, schema, prepare and its communicator. It imports
// no driver or step, so `validate` of a qemu template loads neither QEMU nor SSH code;
// index.ts adds the steps and the artifact for a build.
import type { BuilderDefinition } from '../../src/core/plugin.js';
import { prepareQemu, qemuSchema, type QemuConfig } from './config.js';

export const qemuDefinition: BuilderDefinition<QemuConfig> = {
  kind: 'builder',
  name: 'qemu',
  configSchema: qemuSchema,
  prepare: prepareQemu,
  communicatorType: (config) => (config.communicator === 'none' ? 'none' : 'ssh'),
};
