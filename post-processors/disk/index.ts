// The disk post-processor: a container image (or a disk) to raw/qcow2/vmdk/vhd/vhdx files.
// The raw disk is built once; every other format is converted from it.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact, PostProcessor } from '../../src/core/plugin.js';
import { STATE_DISK_RAW, STATE_DISK_SEED } from '../../src/disk/artifact.js';
import { convertDisk, extensionOf } from '../../src/disk/formats.js';
import type { DiskConfig } from './config.js';
import { runDiskJob } from '../../src/disk/export-job.js';
import { diskDefinition, type Prepared } from './definition.js';

export const DISK_BUILDER_ID = 'imgbuild.post-processor.disk';

export const diskPostProcessor: PostProcessor<Prepared> = {
  ...diskDefinition,

  async process(ctx, input, config) {
    const fileOf = (outDir: string, vm: string, f: DiskConfig['formats'][number]): string => join(outDir, `${vm}.${extensionOf(f)}`);
    const outputs = (outDir: string, vm: string): string[] => config.formats.map((f) => fileOf(outDir, vm, f));
    return runDiskJob(ctx, input, config, 'disk', outputs, async ({ outDir, vm, files, sourceDateEpoch, rawDisk }) => {
      const wantRaw = config.formats.includes('raw');
      const rawPath = fileOf(outDir, vm, 'raw');
      ctx.ui.say(`Building a bootable disk from ${input.builderId} artifact ${input.id}`);
      const src = await rawDisk(wantRaw ? { rawOutput: rawPath } : {});
      for (const [i, format] of config.formats.entries()) {
        if (format === 'raw') continue;
        const out = files[i] ?? '';
        ctx.ui.message(`Converting to ${format}: ${out}`);
        await convertDisk({
          input: src.raw, output: out, format, seed: src.seed, sourceDateEpoch, compress: config.qcow2_compress,
          vmdkSubformat: config.vmdk_subformat, vhdSubformat: config.vhd_subformat, signal: ctx.signal,
        });
      }
      const artifact: Artifact = {
        builderId: DISK_BUILDER_ID,
        id: files[0] ?? '',
        files,
        description: `disk images: ${files.join(', ')}`,
        state: wantRaw ? { [STATE_DISK_RAW]: rawPath, [STATE_DISK_SEED]: src.seed } : { [STATE_DISK_SEED]: src.seed },
        destroy: async () => {
          await Promise.all(files.map((f) => rm(f, { force: true })));
        },
      };
      return { artifact, keepInput: config.keep_input_artifact ?? false };
    });
  },
};
