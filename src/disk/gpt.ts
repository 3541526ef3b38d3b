// GUID partition table written by us rather than sgdisk: every field is fixed by the layout
// and the ids, so the table is byte-identical between runs and hosts.
import { ImgbuildError } from '../core/errors.js';
import { crc32 } from './crc32.js';

export const SECTOR = 512;
const ENTRY_SIZE = 128;
const ENTRY_COUNT = 128;
const ENTRY_SECTORS = (ENTRY_SIZE * ENTRY_COUNT) / SECTOR;
/** Partitions start on 1 MiB boundaries, as every partitioning tool does today. */
export const ALIGN_SECTORS = (1024 * 1024) / SECTOR;

export const PartType = {
  biosBoot: '21686148-6449-6e6f-744e-656564454649',
  esp: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  /** "Linux root (x86-64)" of the Discoverable Partitions Specification. */
  linuxRootX86_64: '4f68bce3-e8cd-4db1-96e7-fbcaf984b709',
} as const;

export interface GptPartition {
  type: string;
  guid: string;
  name: string;
  /** Inclusive LBA range. */
  firstLba: number;
  lastLba: number;
  /** Attribute bits (bit 2: legacy BIOS bootable). */
  attributes?: bigint;
}

export interface GptLayout {
  totalSectors: number;
  diskGuid: string;
  partitions: GptPartition[];
}

/** First and last LBA usable by partitions on a disk of `totalSectors`. */
export function usableRange(totalSectors: number): { first: number; last: number } {
  return { first: 2 + ENTRY_SECTORS, last: totalSectors - 2 - ENTRY_SECTORS };
}

/**
 * The regions to write: the protective MBR (LBA 0), the primary header and entries
 * (LBA 1..33) and the backup entries and header at the end of the disk.
 */
export function encodeGpt(layout: GptLayout): { offset: number; data: Buffer }[] {
  const { totalSectors } = layout;
  const { first, last } = usableRange(totalSectors);
  const entries = Buffer.alloc(ENTRY_SIZE * ENTRY_COUNT);
  layout.partitions.forEach((p, i) => {
    const e = entries.subarray(i * ENTRY_SIZE, (i + 1) * ENTRY_SIZE);
    guidToBytes(p.type).copy(e, 0);
    guidToBytes(p.guid).copy(e, 16);
    e.writeBigUInt64LE(BigInt(p.firstLba), 32);
    e.writeBigUInt64LE(BigInt(p.lastLba), 40);
    e.writeBigUInt64LE(p.attributes ?? 0n, 48);
    Buffer.from(p.name.slice(0, 36), 'utf16le').copy(e, 56);
  });
  const entriesCrc = crc32(entries);
  const header = (myLba: number, altLba: number, entriesLba: number): Buffer => {
    const h = Buffer.alloc(SECTOR);
    h.write('EFI PART', 0, 'latin1');
    h.writeUInt32LE(0x00010000, 8);
    h.writeUInt32LE(92, 12);
    h.writeBigUInt64LE(BigInt(myLba), 24);
    h.writeBigUInt64LE(BigInt(altLba), 32);
    h.writeBigUInt64LE(BigInt(first), 40);
    h.writeBigUInt64LE(BigInt(last), 48);
    guidToBytes(layout.diskGuid).copy(h, 56);
    h.writeBigUInt64LE(BigInt(entriesLba), 72);
    h.writeUInt32LE(ENTRY_COUNT, 80);
    h.writeUInt32LE(ENTRY_SIZE, 84);
    h.writeUInt32LE(entriesCrc, 88);
    h.writeUInt32LE(crc32(h.subarray(0, 92)), 16);
    return h;
  };
  const backupEntriesLba = totalSectors - 1 - ENTRY_SECTORS;
  return [
    { offset: 0, data: protectiveMbr(totalSectors) },
    { offset: SECTOR, data: header(1, totalSectors - 1, 2) },
    { offset: 2 * SECTOR, data: entries },
    { offset: backupEntriesLba * SECTOR, data: entries },
    { offset: (totalSectors - 1) * SECTOR, data: header(totalSectors - 1, 1, backupEntriesLba) },
  ];
}

/** One 0xEE partition covering the disk, so MBR-only tools see it as in use. */
export function protectiveMbr(totalSectors: number): Buffer {
  const m = Buffer.alloc(SECTOR);
  const p = 0x1be;
  m.writeUInt8(0x00, p);
  m.writeUInt8(0x00, p + 1);
  m.writeUInt8(0x02, p + 2);
  m.writeUInt8(0x00, p + 3);
  m.writeUInt8(0xee, p + 4);
  m.writeUInt8(0xff, p + 5);
  m.writeUInt8(0xff, p + 6);
  m.writeUInt8(0xff, p + 7);
  m.writeUInt32LE(1, p + 8);
  m.writeUInt32LE(Math.min(totalSectors - 1, 0xffffffff), p + 12);
  m.writeUInt16LE(0xaa55, 0x1fe);
  return m;
}

/** GUIDs are stored mixed-endian: the first three fields little-endian, the rest as written. */
export function guidToBytes(guid: string): Buffer {
  const h = guid.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  if (b.length !== 16) throw new ImgbuildError('E_DISK_GUID', `GPT: "${guid}" is not a GUID`, { source: 'internal' });
  return Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8),
  ]);
}
