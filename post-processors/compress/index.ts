// The compress post-processor: packs the artifact's files into one reproducible archive.
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { renderGoTemplate } from '../../src/core/gotemplate.js';
import type { Artifact, PostProcessor } from '../../src/core/plugin.js';
import { compress } from './driver.js';
import { compressDefinition, type Prepared } from './definition.js';

export const COMPRESS_BUILDER_ID = 'packer.post-processor.compress';

export const compressPostProcessor: PostProcessor<Prepared> = {
  ...compressDefinition,

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
