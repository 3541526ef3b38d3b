// The compress post-processor: packs the artifact's files into one reproducible archive.
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { diagnosticAt, prepareConfig } from '../../src/core/config.js';
import { renderGoTemplate } from '../../src/core/gotemplate.js';
import type { Artifact, PostProcessor } from '../../src/core/plugin.js';
import { compressSchema, detectFormat, type ArchiveFormat, type CompressConfig } from './config.js';
import { compress } from './driver.js';

export const COMPRESS_BUILDER_ID = 'packer.post-processor.compress';

type Prepared = CompressConfig & { templateDir: string; archive: ArchiveFormat };

export const compressPostProcessor: PostProcessor<Prepared> = {
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

  async process(ctx, input, config) {
    const output = resolve(
      config.templateDir,
      renderGoTemplate(config.output, { BuildName: ctx.build.sourceName, BuilderType: ctx.build.sourceType }, 'compress output'),
    );
    const epoch = Number(process.env['SOURCE_DATE_EPOCH'] ?? '0');
    ctx.ui.say(`Compressing ${input.files.length} file(s) to ${output}`);
    await compress({
      files: input.files,
      output,
      format: config.archive,
      level: config.compression_level,
      mtime: Number.isFinite(epoch) && epoch > 0 ? Math.floor(epoch) : 0,
      signal: ctx.signal,
    });
    const artifact: Artifact = {
      builderId: COMPRESS_BUILDER_ID,
      id: output,
      files: [output],
      description: `compressed artifacts in: ${output}`,
      state: {},
      destroy: () => fs.rm(output, { force: true }),
    };
    return { artifact, keepInput: config.keep_input_artifact ?? false };
  },
};
