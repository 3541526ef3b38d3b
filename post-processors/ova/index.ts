// The ova post-processor: a disk (or a container image, made bootable first) to an OVA
// VirtualBox and VMware import: OVF 1.0 descriptor, SHA256 manifest, streamOptimized VMDK.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact, PostProcessor } from '../../src/core/plugin.js';
import { writeOva } from '../../src/disk/ova.js';
import { runDiskJob } from '../../src/disk/export-job.js';
import { ovaDefinition, type Prepared } from './definition.js';

export const OVA_BUILDER_ID = 'imgbuild.post-processor.ova';

export const ovaPostProcessor: PostProcessor<Prepared> = {
  ...ovaDefinition,

  async process(ctx, input, config) {
    const outputs = (outDir: string, vm: string): string[] => [join(outDir, `${vm}.ova`)];
    return runDiskJob(ctx, input, config, 'ova', outputs, async ({ vm, files: [output = ''], work, sourceDateEpoch, rawDisk }) => {
      const src = await rawDisk();
      ctx.ui.say(`Writing OVA ${output}`);
      await writeOva({
        rawDisk: src.raw, output, name: vm, seed: src.seed, sourceDateEpoch, cpus: config.cpus, memoryMiB: config.memory,
        diskController: config.disk_controller, nic: config.nic_type, osId: config.os_id, vboxOsType: config.guest_os_type,
        tmpDir: work, signal: ctx.signal,
        product: { product: config.product, vendor: config.vendor, version: config.version, productUrl: config.product_url, vendorUrl: config.vendor_url },
        ...(config.description !== undefined ? { description: config.description } : {}),
      });
      const artifact: Artifact = {
        builderId: OVA_BUILDER_ID,
        id: output,
        files: [output],
        description: `OVA: ${output}`,
        state: {},
        destroy: () => rm(output, { force: true }),
      };
      return { artifact, keepInput: config.keep_input_artifact ?? false };
    });
  },
};
