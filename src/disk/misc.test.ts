import { parseSize } from './size.js';
import { earlyConfig, grubCfg } from './grub-config.js';
import { compareVersions } from './kernel.js';
import { ovfEnvelope } from './ovf.js';
import { vmx } from './vmx.js';
import { crc32c } from './crc32.js';

describe('disk helpers', () => {
  it('sorts kernel versions numerically', () => {
    expect(['6.10.0-1-amd64', '6.9.0-2-amd64', '6.1.0-50-amd64'].sort(compareVersions)).toEqual(['6.1.0-50-amd64', '6.9.0-2-amd64', '6.10.0-1-amd64']);
  });

  it('parses sizes the way Packer’s disk_size reads (bare numbers are MiB)', () => {
    expect(parseSize('4G')).toBe(4 * 1024 ** 3);
    expect(parseSize('4096M')).toBe(4 * 1024 ** 3);
    expect(parseSize('512MiB')).toBe(512 * 1024 ** 2);
    expect(parseSize('2048')).toBe(2 * 1024 ** 3);
    expect(parseSize('lots')).toBeNull();
  });

  it('computes CRC-32C as VHDX headers need', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('writes rasd elements in schema order and escapes names', () => {
    const ovf = ovfEnvelope({
      name: 'a&b', diskFile: 'a-disk001.vmdk', diskFileSize: 10, capacityBytes: 20, populatedBytes: 5, cpus: 2, memoryMiB: 512,
      diskController: 'sata', network: 'NAT', nic: 'E1000', osId: 96, vboxOsType: 'Debian_64', diskUuid: 'u',
    });
    expect(ovf).toContain('<VirtualSystem ovf:id="a&amp;b">');
    const disk = /<Item>((?:(?!<\/Item>)[\s\S])*?HostResource[\s\S]*?)<\/Item>/.exec(ovf)?.[1] ?? '';
    const tags = [...disk.matchAll(/<rasd:(\w+)>/g)].map((m) => m[1]);
    expect(tags).toEqual([...tags].sort());
    expect(disk).toContain('<rasd:Parent>4</rasd:Parent>');
  });

  it('lets vmx_data override generated keys', () => {
    const text = vmx({ name: 'v', vmdkFile: 'v.vmdk', guestOs: 'debian11-64', memoryMiB: 1024, cpus: 1, firmware: 'bios', diskAdapter: 'scsi', network: 'nat', nic: 'e1000', hardwareVersion: 14, extra: { memsize: '4096' } });
    expect(text).toContain('memsize = "4096"\n');
    expect(text).not.toContain('memsize = "1024"');
    expect(text).toContain('scsi0.virtualDev = "lsilogic"\n');
    expect(text).not.toContain('firmware');
  });
});

describe('GRUB configuration', () => {
  const base = { rootFsUuid: 'r-uuid', rootPartGuid: 'p-guid' };
  it('boots root by filesystem UUID through the initramfs, on the serial console too', () => {
    const cfg = grubCfg({ ...base, kernel: { version: '6.1.0-9-amd64', kernel: '/boot/vmlinuz-6.1.0-9-amd64', initrd: '/boot/initrd.img-6.1.0-9-amd64' } });
    expect(cfg).toContain('  linux /boot/vmlinuz-6.1.0-9-amd64 root=UUID=r-uuid ro console=tty0 console=ttyS0,115200n8\n  initrd /boot/initrd.img-6.1.0-9-amd64\n');
    expect(cfg).toContain('search --no-floppy --fs-uuid --set=root r-uuid\n');
  });

  it('falls back to PARTUUID without an initramfs, since only the kernel finds root then', () => {
    const cfg = grubCfg({ ...base, kernel: { version: '6.1', kernel: '/boot/vmlinuz-6.1' }, cmdline: 'quiet' });
    expect(cfg).toContain('root=PARTUUID=p-guid ro console=tty0 console=ttyS0,115200n8 quiet\n');
    expect(cfg).not.toContain('initrd');
  });

  it('points both GRUB images at grub.cfg on the ESP found by its volume id', () => {
    expect(earlyConfig('ABCD-1234')).toBe('search --no-floppy --fs-uuid --set=root ABCD-1234\nset prefix=($root)/EFI/BOOT\n');
  });
});
