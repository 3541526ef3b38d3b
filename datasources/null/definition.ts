// Packer's `null` data source, its definition: `input` comes back as `output`. Its result needs no run, so
// `validate` already knows it (Packer leaves it unknown there; the value is the same).
import { z } from 'zod';
import { prepareConfig } from '../../src/core/config.js';
import type { DataSourceDefinition, RawConfig } from '../../src/core/plugin.js';

export const nullDataConfigSchema = z.object({
  input: z.string().min(1, 'The `input` must be specified.'),
});

export type NullDataConfig = z.output<typeof nullDataConfigSchema>;

export const nullDataDefinition: DataSourceDefinition<NullDataConfig> = {
  kind: 'data-source',
  name: 'null',
  configSchema: nullDataConfigSchema,
  outputs: ['output'],
  prepare: (raw: RawConfig) => prepareConfig(nullDataConfigSchema, raw),
  resultWithoutRun: (config) => ({ output: config.input }),
};
