// The vmware post-processor: a folder VMware Workstation/Fusion/Player opens, with a .vmx
// and its VMDK, from a disk or a container image (made bootable first).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareConfig } from '../../src/core/config.js';
import type { Artifact, PostProcessor } from '../../src/core/plugin.js';
import { parseSize, rawDiskForArtifact, sourceDateEpochFromEnv } from '../../src/disk/artifact.js';
import { convertDisk } from '../../src/disk/formats.js';
import { safeName } from '../../src/disk/ova.js';
import { vmx } from '../../src/disk/vmx.js';
import { outputDirectory, refuseExisting } from '../disk/index.js';
import { vmwareSchema, type VmwareConfig } from './config.js';

export const VMWARE_BUILDER_ID = 'imgbuild.post-processor.vmware';

type Prepared = VmwareConfig & { templateDir: string };

export const vmwarePostProcessor: PostProcessor<Prepared> = {
  kind: 'post-processor',
  name: 'vmware',
  configSchema: vmwareSchema,
  prepare(raw, ctx) {
    const p = prepareConfig(vmwareSchema, raw);
    return { ...p, config: p.config ? { ...p.config, templateDir: ctx.templateDir } : null };
  },

  async process(ctx, input, config) {
    const outDir = outputDirectory(ctx, config.output_directory, config.templateDir);
    const vm = config.vm_name ?? ctx.build.sourceName;
    const base = safeName(vm);
    const vmdkPath = join(outDir, `${base}.vmdk`);
    const vmxPath = join(outDir, `${base}.vmx`);
    await refuseExisting(ctx, [vmdkPath, vmxPath], 'vmware');
    await mkdir(outDir, { recursive: true });
    const work = await mkdtemp(join(outDir, '.imgbuild-vmware-'));
    const epoch = sourceDateEpochFromEnv();
    try {
      const src = await rawDiskForArtifact(input, {
        who: 'vmware',
        workDir: work,
        sourceDateEpoch: epoch,
        signal: ctx.signal,
        journal: ctx.journal,
        ...(config.disk_size !== undefined ? { sizeBytes: parseSize(config.disk_size) ?? 0 } : {}),
        ...(config.kernel_args !== undefined ? { kernelArgs: config.kernel_args } : {}),
      });
      ctx.ui.say(`Writing VMware machine ${vmxPath}`);
      await convertDisk({
        input: src.raw, output: vmdkPath, format: 'vmdk', vmdkSubformat: config.vmdk_subformat,
        // The VMDK's adapter type must match the controller the .vmx puts it on.
        vmdkAdapter: config.disk_adapter_type === 'scsi' ? 'lsilogic' : 'ide',
        seed: src.seed, sourceDateEpoch: epoch, signal: ctx.signal,
      });
      await writeFile(
        vmxPath,
        vmx({
          name: vm, vmdkFile: `${base}.vmdk`, guestOs: config.guest_os_type, memoryMiB: config.memory, cpus: config.cpus,
          firmware: config.firmware, diskAdapter: config.disk_adapter_type, network: config.network, nic: config.network_adapter_type,
          hardwareVersion: config.hardware_version, ...(config.vmx_data ? { extra: config.vmx_data } : {}),
        }),
        { mode: 0o644 },
      );
      const files = [vmxPath, vmdkPath];
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
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  },
};
