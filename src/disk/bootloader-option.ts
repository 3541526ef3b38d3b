// The `bootloader` key the disk, ova and vmware post-processors share. Apart from raw-disk.ts
// so a plugin's config reads it without loading the disk writer.
import { z } from 'zod';

/**
 * Who boots a disk made from a container image: the image's own GRUB (grub-pc, grub-efi-amd64,
 * shim-signed), kept current by its kernel hooks; or, only when asked, GRUB images made from
 * this machine's GRUB with a menu naming the one kernel there is.
 */
export const bootloaderOption = z.enum(['guest', 'host']).default('guest');
