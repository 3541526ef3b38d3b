// The light half of the compress post-processor: name, schema and prepare; index.ts adds
// process() and imports what it runs.
import { diagnosticAt, prepareConfig } from '../../src/core/config.js';
import type { PostProcessorDefinition } from '../../src/core/plugin.js';
import { compressSchema, detectFormat, type ArchiveFormat, type CompressConfig } from './config.js';

/** The config as prepare returns it and process receives it. */
export type Prepared = CompressConfig & { templateDir: string; archive: ArchiveFormat };

export const compressDefinition: PostProcessorDefinition<Prepared> = {
  kind: 'post-processor',
  name: 'compress',
  configSchema: compressSchema,
  prepare(raw, ctx) {
    const p = prepareConfig(compressSchema, raw);
    if (!p.config) return { config: null, warnings: p.warnings, errors: p.errors };
    const format = typeof p.config.output === 'string' ? detectFormat(p.config.output, p.config.format) : 'tar.gz';
    if (typeof format !== 'string') {
      const key = p.config.format !== undefined ? 'format' : 'output';
      return {
        config: null,
        warnings: p.warnings,
        errors: [
          diagnosticAt(
            raw,
            [key],
            'Unsupported archive format',
            `imgbuild's compress writes .tar.gz (or .tgz), .tar and .gz; "${format.unsupported}" is not supported.`,
          ),
        ],
      };
    }
    return { ...p, config: { ...p.config, templateDir: ctx.templateDir, archive: format } };
  },
};
