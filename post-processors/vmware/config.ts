import { z } from 'zod';
import { bootloaderOption } from '../../src/disk/bootloader-option.js';
import { parseSize } from '../../src/disk/size.js';

export const vmwareSchema = z.object({
  output_directory: z.string().default('output-{{.BuildName}}'),
  vm_name: z.string().optional(),
  cpus: z.number().int().min(1).max(128).default(1),
  /** MiB. */
  memory: z.number().int().min(64).default(1024),
  /** VMware guestOS key; debian12-64 needs Workstation 17, debian11-64 works from 16. */
  guest_os_type: z.string().default('debian11-64'),
  /** The disk boots either way; efi makes VMware start it through UEFI. */
  firmware: z.enum(['bios', 'efi']).default('bios'),
  disk_adapter_type: z.enum(['sata', 'scsi']).default('sata'),
  network: z.enum(['nat', 'bridged', 'hostonly']).default('nat'),
  network_adapter_type: z.enum(['e1000', 'e1000e', 'vmxnet3']).default('e1000'),
  /** Workstation runs monolithicSparse; streamOptimized is for importing. */
  vmdk_subformat: z.enum(['monolithicSparse', 'streamOptimized']).default('monolithicSparse'),
  hardware_version: z.number().int().min(4).default(14),
  /** Extra or overriding .vmx keys, as Packer's vmx_data. */
  vmx_data: z.record(z.string()).optional(),
  disk_size: z.string().refine((v) => parseSize(v) !== null, { message: 'must be a size such as "4G", "4096M" or a number of MiB' }).optional(),
  kernel_args: z.string().optional(),
  bootloader: bootloaderOption,
  keep_input_artifact: z.boolean().optional(),
});

export type VmwareConfig = z.output<typeof vmwareSchema>;
