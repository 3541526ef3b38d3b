// The checksum post-processor: one checksum file per algorithm for the artifact's files.
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { renderGoTemplate } from '../../src/core/gotemplate.js';
import type { Artifact, PostProcessor } from '../../src/core/plugin.js';
import type { ChecksumConfig } from './config.js';
import { appendChecksums, hashFile } from './driver.js';
import { checksumDefinition } from './definition.js';

export const CHECKSUM_BUILDER_ID = 'packer.post-processor.checksum';

export const checksumPostProcessor: PostProcessor<ChecksumConfig & { templateDir: string }> = {
  ...checksumDefinition,

  async process(ctx, input, config) {
    const outputs: string[] = [];
    for (const type of config.checksum_types) {
      const output = resolve(
        config.templateDir,
        renderGoTemplate(
          config.output,
          { BuildName: ctx.build.sourceName, BuilderType: ctx.build.sourceType, ChecksumType: type },
          'checksum output',
        ),
      );
      const lines: [string, string][] = [];
      for (const f of input.files) lines.push([await hashFile(f, type, ctx.signal), f]);
      await appendChecksums(output, lines);
      ctx.ui.message(`${type} checksums of ${input.files.length} file(s) written to ${output}`);
      if (!outputs.includes(output)) outputs.push(output);
    }
    const artifact: Artifact = {
      builderId: CHECKSUM_BUILDER_ID,
      id: '',
      files: outputs,
      description: `Created artifact from files: ${outputs.join(', ')}`,
      state: {},
      destroy: async () => {
        await Promise.all(outputs.map((o) => fs.rm(o, { force: true })));
      },
    };
    return { artifact, keepInput: true };
  },
};
