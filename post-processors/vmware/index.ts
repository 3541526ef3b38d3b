// The vmware post-processor: a folder VMware Workstation/Fusion/Player opens, with a .vmx
// and its VMDK, from a disk or a container image (made bootable first).
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact, PostProcessor } from '../../src/core/plugin.js';
import { convertDisk } from '../../src/disk/formats.js';
import { safeName } from '../../src/disk/ova.js';
import { vmx } from '../../src/disk/vmx.js';
import { runDiskJob } from '../../src/disk/export-job.js';
import { vmwareDefinition, type Prepared } from './definition.js';

export const VMWARE_BUILDER_ID = 'imgbuild.post-processor.vmware';

export const vmwarePostProcessor: PostProcessor<Prepared> = {
  ...vmwareDefinition,

  async process(ctx, input, config) {
    const outputs = (outDir: string, vm: string): string[] => ['vmx', 'vmdk'].map((ext) => join(outDir, `${safeName(vm)}.${ext}`));
    return runDiskJob(ctx, input, config, 'vmware', outputs, async ({ vm, files, sourceDateEpoch, rawDisk }) => {
      const [vmxPath = '', vmdkPath = ''] = files;
      const src = await rawDisk();
      ctx.ui.say(`Writing VMware machine ${vmxPath}`);
      await convertDisk({
        input: src.raw, output: vmdkPath, format: 'vmdk', vmdkSubformat: config.vmdk_subformat,
        // The VMDK's adapter type must match the controller the .vmx puts it on.
        vmdkAdapter: config.disk_adapter_type === 'scsi' ? 'lsilogic' : 'ide',
        seed: src.seed, sourceDateEpoch, signal: ctx.signal,
      });
      await writeFile(
        vmxPath,
        vmx({
          name: vm, vmdkFile: `${safeName(vm)}.vmdk`, guestOs: config.guest_os_type, memoryMiB: config.memory, cpus: config.cpus,
          firmware: config.firmware, diskAdapter: config.disk_adapter_type, network: config.network, nic: config.network_adapter_type,
          hardwareVersion: config.hardware_version, ...(config.vmx_data ? { extra: config.vmx_data } : {}),
        }),
        { mode: 0o644 },
      );
      const artifact: Artifact = {
        builderId: VMWARE_BUILDER_ID,
        id: vmxPath,
        files,
        description: `VMware machine: ${vmxPath}`,
        state: {},
        destroy: async () => {
          await Promise.all(files.map((f) => rm(f, { force: true })));
        },
      };
      return { artifact, keepInput: config.keep_input_artifact ?? false };
    });
  },
};
