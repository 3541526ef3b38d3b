// The `null` data source, whole: nothing to run, executing it gives what validate already knew.
import type { DataSource } from '../../src/core/plugin.js';
import { nullDataDefinition, type NullDataConfig } from './definition.js';

export const nullDataSource: DataSource<NullDataConfig> = {
  ...nullDataDefinition,
  execute: (config) => Promise.resolve({ output: config.input }),
};
