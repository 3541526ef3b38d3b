import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { biosMbr, placeCoreImg } from './bios-boot.js';
import { crc32 } from './crc32.js';
import { encodeGpt, guidToBytes, PartType, protectiveMbr } from './gpt.js';
import { deriveIds } from './ids.js';

const dir = mkdtempSync(join(tmpdir(), 'imgbuild-gpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('GPT writer', () => {
  it('stores GUIDs mixed-endian, as the UEFI spec and sgdisk do', () => {
    expect(guidToBytes(PartType.esp).toString('hex')).toBe('28732ac11ff8d211ba4b00a0c93ec93b');
  });

  it('computes the IEEE CRC-32 GPT headers use', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('writes a table sgdisk verifies, with our disk and partition GUIDs', () => {
    const ids = deriveIds('seed');
    const total = 64 * 2048;
    const file = join(dir, 'd.img');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, total * 512);
    for (const r of encodeGpt({
      totalSectors: total,
      diskGuid: ids.diskGuid,
      partitions: [
        { type: PartType.biosBoot, guid: ids.biosPartGuid, name: 'bios', firstLba: 2048, lastLba: 4095 },
        { type: PartType.linuxRootX86_64, guid: ids.rootPartGuid, name: 'root', firstLba: 4096, lastLba: total - 2049 },
      ],
    })) writeSync(fd, r.data, 0, r.data.length, r.offset);
    closeSync(fd);
    expect(execFileSync('sgdisk', ['-v', file], { encoding: 'utf8' })).toContain('No problems found');
    expect(execFileSync('sgdisk', ['-i', '2', file], { encoding: 'utf8' })).toContain(`Partition unique GUID: ${ids.rootPartGuid.toUpperCase()}`);
  });

  it('derives the same ids from the same seed and different ones from another', () => {
    expect(deriveIds('a')).toEqual(deriveIds('a'));
    expect(deriveIds('a').rootFsUuid).not.toBe(deriveIds('b').rootFsUuid);
    expect(deriveIds('a').espFsUuid).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
  });
});

describe('BIOS boot code placement (what grub-bios-setup does)', () => {
  it('keeps the partition table, points boot.img at core.img and nops the drive check', () => {
    const boot = Buffer.alloc(512, 0xaa);
    const mbr = biosMbr(boot, protectiveMbr(100000), 2048);
    expect(mbr.readBigUInt64LE(0x5c)).toBe(2048n);
    expect(mbr[0x64]).toBe(0xff);
    expect(mbr.readUInt16LE(0x66)).toBe(0x9090);
    expect(mbr[0x1be + 4]).toBe(0xee);
    expect(mbr.readUInt16LE(0x1fe)).toBe(0xaa55);
  });

  it('fills core.img’s block list with the sectors after its first', () => {
    const core = placeCoreImg(Buffer.alloc(512 * 10 + 100, 1), 2048);
    expect(core.length).toBe(512 * 11);
    expect(core.readBigUInt64LE(0x1f4)).toBe(2049n);
    expect(core.readUInt16LE(0x1fc)).toBe(10);
    expect(core.readUInt16LE(0x1fe)).toBe(0x820);
    expect(core.subarray(0x1e8, 0x1f4).every((b) => b === 0)).toBe(true);
  });
});
