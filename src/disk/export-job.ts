// What the disk, ova and vmware post-processors share: where the output goes, Packer's
// "existing output is an error unless -force" rule, a scratch dir beside the output that is
// removed however the job ends, and the bootable raw disk made from the input artifact.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BuildError } from '../core/errors.js';
import { renderGoTemplate } from '../core/gotemplate.js';
import type { Artifact, PostProcessContext } from '../core/plugin.js';
import { rawDiskForArtifact, sourceDateEpochFromEnv, type RawInput } from './artifact.js';
import { parseSize } from './size.js';

export interface DiskJobConfig {
  output_directory: string;
  vm_name?: string | undefined;
  disk_size?: string | undefined;
  kernel_args?: string | undefined;
  bootloader: 'guest' | 'host';
  templateDir: string;
}

export interface DiskJob {
  outDir: string;
  /** vm_name, or the source's name. */
  vm: string;
  /** What `outputs(outDir, vm)` named. */
  files: string[];
  /** Scratch dir inside outDir (same filesystem, so results can be renamed into place). */
  work: string;
  sourceDateEpoch: number;
  /** The input as a bootable raw disk; `rawOutput` keeps it as an output file. */
  rawDisk: (opts?: { rawOutput?: string }) => Promise<RawInput>;
}

/**
 * Runs `fn` with the output dir made and `outputs(outDir, vm)` checked for leftovers first;
 * the scratch dir goes whether `fn` succeeds or not.
 */
export async function runDiskJob<T>(
  ctx: PostProcessContext,
  input: Artifact,
  config: DiskJobConfig,
  who: string,
  outputs: (outDir: string, vm: string) => string[],
  fn: (job: DiskJob) => Promise<T>,
): Promise<T> {
  const outDir = outputDirectory(ctx, config.output_directory, config.templateDir);
  const vm = config.vm_name ?? ctx.build.sourceName;
  const files = outputs(outDir, vm);
  await refuseExisting(ctx, files, who);
  await mkdir(outDir, { recursive: true });
  const work = await mkdtemp(join(outDir, `.imgbuild-${who}-`));
  const sourceDateEpoch = sourceDateEpochFromEnv();
  const rawDisk = (opts: { rawOutput?: string } = {}): Promise<RawInput> =>
    rawDiskForArtifact(input, {
      who,
      workDir: work,
      sourceDateEpoch,
      signal: ctx.signal,
      journal: ctx.journal,
      ...(config.disk_size !== undefined ? { sizeBytes: parseSize(config.disk_size) ?? 0 } : {}),
      ...(config.kernel_args !== undefined ? { kernelArgs: config.kernel_args } : {}),
      bootloader: config.bootloader,
      onHostBootloader: () =>
        ctx.ui.warn(
          `${who}: bootloader = "host": the disk boots through GRUB images made from this machine's GRUB, with a menu naming the one kernel in the image; ` +
            'kernel upgrades inside the guest will not reach the boot menu, and importers that look for a bootloader (virt-v2v, AWS VM Import) refuse the disk',
        ),
      ...opts,
    });
  try {
    return await fn({ outDir, vm, files, work, sourceDateEpoch, rawDisk });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

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
