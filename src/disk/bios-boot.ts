// What grub-bios-setup does for a GPT disk, done on buffers so no loop device or mount is
// needed: boot.img goes into the MBR's code area pointing at core.img's first sector, and
// core.img's first sector (diskboot.img) gets the block list of the sectors that follow.
// Offsets are GRUB's (include/grub/i386/pc/boot.h, grub-core/boot/i386/pc/diskboot.S).
import { ImgbuildError } from '../core/errors.js';
import { SECTOR } from './gpt.js';

const KERNEL_SECTOR = 0x5c;
const BOOT_DRIVE = 0x64;
const DRIVE_CHECK = 0x66;
/** boot.img's code ends where the MBR's disk signature and partition table begin. */
const MBR_CODE_END = 0x1b8;
/** One blocklist entry: start (u64), sector count (u16), load segment (u16). */
const BLOCKLIST_ENTRY = 12;
/** core.img is loaded at 0x8000; sectors after the first go just above it. */
const FIRST_SEGMENT = 0x800 + (SECTOR >> 4);

/** The MBR sector: boot.img's code over `mbr`'s signature and partition table. */
export function biosMbr(bootImg: Buffer, mbr: Buffer, coreLba: number): Buffer {
  if (bootImg.length !== SECTOR || mbr.length !== SECTOR) {
    throw new ImgbuildError('E_DISK_GRUB', `GRUB boot.img is ${bootImg.length} bytes, expected ${SECTOR}; reinstall grub-pc-bin`, { source: 'environment' });
  }
  const out = Buffer.from(mbr);
  bootImg.copy(out, 0, 0, MBR_CODE_END);
  out.writeBigUInt64LE(BigInt(coreLba), KERNEL_SECTOR);
  // 0xff: use the drive the BIOS booted from rather than a fixed one.
  out.writeUInt8(0xff, BOOT_DRIVE);
  // grub-bios-setup nops out the floppy probe for hard disks; some BIOSes pass odd drive numbers.
  out.writeUInt16LE(0x9090, DRIVE_CHECK);
  return out;
}

/** core.img with its block list filled for contiguous sectors starting at `coreLba`. */
export function placeCoreImg(coreImg: Buffer, coreLba: number): Buffer {
  const sectors = Math.ceil(coreImg.length / SECTOR);
  if (sectors - 1 > 0xffff) throw new ImgbuildError('E_DISK_GRUB', `GRUB core.img of ${coreImg.length} bytes is too large for one block list entry`, { source: 'internal' });
  const out = Buffer.alloc(sectors * SECTOR);
  coreImg.copy(out);
  const entry = SECTOR - BLOCKLIST_ENTRY;
  out.writeBigUInt64LE(BigInt(coreLba + 1), entry);
  out.writeUInt16LE(sectors - 1, entry + 8);
  out.writeUInt16LE(FIRST_SEGMENT, entry + 10);
  // The entry below it terminates the list.
  out.fill(0, entry - BLOCKLIST_ENTRY, entry);
  return out;
}
