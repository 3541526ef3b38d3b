import { z } from 'zod';
import { bootloaderOption } from '../../src/disk/bootloader-option.js';
import { parseSize } from '../../src/disk/size.js';

const size = z.string().refine((v) => parseSize(v) !== null, { message: 'must be a size such as "4G", "4096M" or a number of MiB' });

export const diskSchema = z.object({
  /** Folder for the disk files; Go template with {{.BuildName}}. */
  output_directory: z.string().default('output-{{.BuildName}}'),
  /** File name without extension. */
  vm_name: z.string().optional(),
  formats: z.array(z.enum(['raw', 'qcow2', 'vmdk', 'vhd', 'vhdx'])).min(1).default(['raw']),
  /** Whole disk; a bare number is MiB, as Packer's disk_size. Default: the tree plus room. */
  disk_size: size.optional(),
  qcow2_compress: z.boolean().default(false),
  vmdk_subformat: z.enum(['streamOptimized', 'monolithicSparse']).default('streamOptimized'),
  vhd_subformat: z.enum(['dynamic', 'fixed']).default('dynamic'),
  /** Appended to the kernel command line. */
  kernel_args: z.string().optional(),
  bootloader: bootloaderOption,
  keep_input_artifact: z.boolean().optional(),
});

export type DiskConfig = z.output<typeof diskSchema>;
