// The disk post-processor: a container image (or a disk) to raw/qcow2/vmdk/vhd/vhdx files.
// The raw disk is built once; every other format is converted from it.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { prepareConfig } from '../../src/core/config.js';
import { BuildError } from '../../src/core/errors.js';
import { renderGoTemplate } from '../../src/core/gotemplate.js';
import type { Artifact, PostProcessContext, PostProcessor } from '../../src/core/plugin.js';
import { parseSize, rawDiskForArtifact, sourceDateEpochFromEnv, STATE_DISK_RAW, STATE_DISK_SEED } from '../../src/disk/artifact.js';
import { convertDisk, extensionOf } from '../../src/disk/formats.js';
import { diskSchema, type DiskConfig } from './config.js';

export const DISK_BUILDER_ID = 'imgbuild.post-processor.disk';

type Prepared = DiskConfig & { templateDir: string };

export const diskPostProcessor: PostProcessor<Prepared> = {
  kind: 'post-processor',
  name: 'disk',
  configSchema: diskSchema,
  prepare(raw, ctx) {
    const p = prepareConfig(diskSchema, raw);
    return { ...p, config: p.config ? { ...p.config, templateDir: ctx.templateDir } : null };
  },

  async process(ctx, input, config) {
    const outDir = outputDirectory(ctx, config.output_directory, config.templateDir);
    const vm = config.vm_name ?? ctx.build.sourceName;
    const files = config.formats.map((f) => join(outDir, `${vm}.${extensionOf(f)}`));
    await refuseExisting(ctx, files, 'disk');
    await mkdir(outDir, { recursive: true });
    const work = await mkdtemp(join(outDir, '.imgbuild-disk-'));
    const epoch = sourceDateEpochFromEnv();
    try {
      const wantRaw = config.formats.includes('raw');
      ctx.ui.say(`Building a bootable disk from ${input.builderId} artifact ${input.id}`);
      const src = await rawDiskForArtifact(input, {
        who: 'disk',
        workDir: work,
        sourceDateEpoch: epoch,
        signal: ctx.signal,
        journal: ctx.journal,
        ...(config.disk_size !== undefined ? { sizeBytes: parseSize(config.disk_size) ?? 0 } : {}),
        ...(config.kernel_args !== undefined ? { kernelArgs: config.kernel_args } : {}),
        ...(wantRaw ? { rawOutput: join(outDir, `${vm}.raw`) } : {}),
      });
      for (const [i, format] of config.formats.entries()) {
        if (format === 'raw') continue;
        const out = files[i] ?? '';
        ctx.ui.message(`Converting to ${format}: ${out}`);
        await convertDisk({
          input: src.raw, output: out, format, seed: src.seed, sourceDateEpoch: epoch, compress: config.qcow2_compress,
          vmdkSubformat: config.vmdk_subformat, vhdSubformat: config.vhd_subformat, signal: ctx.signal,
        });
      }
      const rawPath = join(outDir, `${vm}.raw`);
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
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  },
};

export function outputDirectory(ctx: PostProcessContext, template: string, templateDir: string): string {
  return resolve(templateDir, renderGoTemplate(template, { BuildName: ctx.build.sourceName, BuilderType: ctx.build.sourceType }, 'output_directory'));
}

/** Packer's rule: existing output is an error unless -force. */
export async function refuseExisting(ctx: PostProcessContext, files: readonly string[], who: string): Promise<void> {
  for (const f of files) {
    if (!(await stat(f).catch(() => null))) continue;
    if (ctx.force) {
      await rm(f, { recursive: true, force: true });
      continue;
    }
    throw new BuildError(`${who}: output ${f} already exists; remove it or run with -force`, { code: 'E_OUTPUT_EXISTS' });
  }
}
