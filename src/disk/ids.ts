// Every identifier a disk carries (GPT disk and partition GUIDs, the ext4 UUID and hash seed,
// the FAT volume id) is derived from one seed, so the same input gives the same bytes while
// two different inputs still get distinct ids.
import { createHash } from 'node:crypto';

export interface DiskIds {
  diskGuid: string;
  biosPartGuid: string;
  espPartGuid: string;
  rootPartGuid: string;
  rootFsUuid: string;
  rootHashSeed: string;
  /** FAT volume id as mkfs.vfat's -i wants it (8 hex digits). */
  espVolumeId: string;
  /** The same id as GRUB and /dev/disk/by-uuid spell it: `ABCD-1234`. */
  espFsUuid: string;
}

export function deriveIds(seed: string): DiskIds {
  const vol = digest(seed, 'esp-volume-id').subarray(0, 4).toString('hex').toUpperCase();
  return {
    diskGuid: uuidFrom(seed, 'gpt-disk'),
    biosPartGuid: uuidFrom(seed, 'gpt-part-bios'),
    espPartGuid: uuidFrom(seed, 'gpt-part-esp'),
    rootPartGuid: uuidFrom(seed, 'gpt-part-root'),
    rootFsUuid: uuidFrom(seed, 'ext4-uuid'),
    rootHashSeed: uuidFrom(seed, 'ext4-hash-seed'),
    espVolumeId: vol,
    espFsUuid: `${vol.slice(0, 4)}-${vol.slice(4)}`,
  };
}

/** A name-based UUID (RFC 4122 layout, version 5 bits, SHA-256 instead of SHA-1). */
export function uuidFrom(seed: string, name: string): string {
  const b = digest(seed, name).subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A 32-bit value for fields such as the VMDK CID, as 8 lowercase hex digits. */
export function hex32From(seed: string, name: string): string {
  return digest(seed, name).subarray(0, 4).toString('hex');
}

/** 16 raw bytes (VHD footer UUID is stored big-endian, as written). */
export function bytesFrom(seed: string, name: string, n: number): Buffer {
  return digest(seed, name).subarray(0, n);
}

function digest(seed: string, name: string): Buffer {
  return createHash('sha256').update(`imgbuild-disk\0${seed}\0${name}`).digest();
}
