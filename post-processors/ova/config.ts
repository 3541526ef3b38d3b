import { z } from 'zod';
import { bootloaderOption } from '../../src/disk/bootloader-option.js';
import { parseSize } from '../../src/disk/size.js';

export const ovaSchema = z.object({
  output_directory: z.string().default('output-{{.BuildName}}'),
  /** VM name in the OVF and the file name (without .ova). */
  vm_name: z.string().optional(),
  cpus: z.number().int().min(1).max(64).default(1),
  /** MiB. */
  memory: z.number().int().min(64).default(1024),
  disk_controller: z.enum(['sata', 'ide']).default('sata'),
  nic_type: z.enum(['E1000', 'PCNet32', 'VmxNet3']).default('E1000'),
  /** CIM operating system id (96: Debian 64-bit) and VirtualBox OS type. */
  os_id: z.number().int().min(0).default(96),
  guest_os_type: z.string().default('Debian_64'),
  /** The OVF's ProductSection (shown by VirtualBox's import dialog) and AnnotationSection. */
  product: z.string().optional(),
  vendor: z.string().optional(),
  version: z.string().optional(),
  product_url: z.string().optional(),
  vendor_url: z.string().optional(),
  description: z.string().optional(),
  /** Used when the input is a container image: whole disk, bare number in MiB. */
  disk_size: z.string().refine((v) => parseSize(v) !== null, { message: 'must be a size such as "4G", "4096M" or a number of MiB' }).optional(),
  kernel_args: z.string().optional(),
  bootloader: bootloaderOption,
  keep_input_artifact: z.boolean().optional(),
});

export type OvaConfig = z.output<typeof ovaSchema>;
