// The light half of the breakpoint provisioner: name, schema and prepare (see index.ts).
import { prepareConfig } from '../../src/core/config.js';
import type { ProvisionerDefinition } from '../../src/core/plugin.js';
import { breakpointSchema, type BreakpointConfig } from './config.js';

export const breakpointDefinition: ProvisionerDefinition<BreakpointConfig> = {
  kind: 'provisioner',
  name: 'breakpoint',
  configSchema: breakpointSchema,
  prepare: (raw) => prepareConfig(breakpointSchema, raw),
};
