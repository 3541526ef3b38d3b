// The Packer qemu keys real templates use, pinned on the QEMU command line they produce:
// disk_interface (virtio, virtio-scsi, scsi, ide, sata, nvme), disk_cache, disk_discard,
// disk_detect_zeroes, cpu_model, machine_type, net_device, display/use_default_display,
// the floppy, EFI turned on by efi_firmware_code/vars, boot_steps, and vnc_* accepted.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rawConfig } from '../../src/core/testing.js';
import type { ValueObject } from '../../src/core/model/value.js';
import { makeFloppy } from '../../src/vm/floppy.js';
import { cpuModel, qemuArgs } from './args.js';
import { prepareQemu, type QemuConfig } from './config.js';

const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-qemu-keys-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const ctx = { templateDir: work, sourceFullName: 'qemu.vm', buildName: '' };
const BASE = { iso_url: 'd.img', iso_checksum: 'none', disk_image: true, ssh_username: 'root' };

function config(extra: ValueObject): QemuConfig {
  const p = prepareQemu(rawConfig({ ...BASE, ...extra }), ctx);
  if (!p.config) throw new Error(JSON.stringify(p.errors.map((e) => e.detail)));
  return p.config;
}

function args(extra: ValueObject, opts: { floppy?: string; noDisplay?: boolean; accelerator?: 'kvm' | 'tcg' } = {}): string {
  return qemuArgs({
    config: config(extra),
    accelerator: opts.accelerator ?? 'tcg',
    disk: '/b/disk',
    installIso: null,
    cdIso: null,
    efiVars: '/b/vars.fd',
    sshPort: 2222,
    qmpSocket: '/b/qmp.sock',
    serialLog: '/b/serial.log',
    noDisplay: opts.noDisplay ?? true,
    floppy: opts.floppy ?? null,
  }).join(' ');
}

describe('disk keys', () => {
  test.each([
    ['virtio', '-drive file=/b/disk,if=virtio,format=qcow2,cache=writeback,discard=ignore'],
    ['ide', '-drive file=/b/disk,if=ide,format=qcow2,cache=writeback,discard=ignore'],
    ['virtio-scsi', '-device virtio-scsi-pci,id=scsi0 -drive file=/b/disk,if=none,id=drive0,format=qcow2,cache=writeback,discard=ignore -device scsi-hd,bus=scsi0.0,drive=drive0'],
    ['scsi', '-device virtio-scsi-pci,id=scsi0 -drive file=/b/disk,if=none,id=drive0,format=qcow2,cache=writeback,discard=ignore -device scsi-hd,bus=scsi0.0,drive=drive0'],
    ['sata', '-device ahci,id=ahci0 -drive file=/b/disk,if=none,id=drive0,format=qcow2,cache=writeback,discard=ignore -device ide-hd,bus=ahci0.0,drive=drive0'],
    ['nvme', '-drive file=/b/disk,if=none,id=drive0,format=qcow2,cache=writeback,discard=ignore -device nvme,serial=imgbuild0,drive=drive0'],
  ])('disk_interface = "%s" attaches the disk on that controller, with Packer\'s defaults (writeback, discard ignore)', (iface, expected) => {
    expect(args({ disk_interface: iface })).toContain(expected);
  });

  test('disk_cache, disk_discard and disk_detect_zeroes reach -drive; detect-zeroes "off" is left out', () => {
    expect(args({ disk_cache: 'unsafe', disk_discard: 'unmap', disk_detect_zeroes: 'unmap' })).toContain('if=virtio,format=qcow2,cache=unsafe,discard=unmap,detect-zeroes=unmap');
    expect(args({ disk_detect_zeroes: 'off' })).not.toContain('detect-zeroes');
  });

  test('a value Packer does not accept is an error naming the key and the choices', () => {
    const p = prepareQemu(rawConfig({ ...BASE, disk_interface: 'usb', disk_cache: 'fast' }), ctx);
    expect(p.config).toBeNull();
    expect(p.errors.map((e) => e.detail).join('\n')).toMatch(/disk_interface[\s\S]*virtio[\s\S]*nvme/);
    expect(p.errors.map((e) => e.detail).join('\n')).toMatch(/disk_cache/);
  });
});

describe('machine keys', () => {
  test('cpu_model, machine_type and net_device', () => {
    const a = args({ cpu_model: 'Skylake-Server', machine_type: 'q35', net_device: 'e1000' }, { accelerator: 'kvm' });
    expect(a).toContain('-cpu Skylake-Server');
    expect(a).toContain('-machine type=q35');
    expect(a).toContain('-device e1000,netdev=n0');
  });

  test('cpu_model "host" needs KVM: under TCG the guest gets "max"; unset, the best the accelerator offers', () => {
    expect(cpuModel('host', 'kvm')).toBe('host');
    expect(cpuModel('host', 'tcg')).toBe('max');
    expect(cpuModel(null, 'kvm')).toBe('host');
    expect(cpuModel(null, 'tcg')).toBe('max');
  });

  test('display: gtk by default with a display, the given one, none from use_default_display; headless or no display is "none"', () => {
    expect(args({}, { noDisplay: false })).toContain('-display gtk');
    expect(args({ display: 'sdl' }, { noDisplay: false })).toContain('-display sdl');
    expect(args({ use_default_display: true }, { noDisplay: false })).not.toContain('-display');
    expect(args({ display: 'none', use_default_display: true }, { noDisplay: false })).not.toContain('-display');
    expect(args({ display: 'sdl', headless: true }, { noDisplay: false })).toContain('-display none');
    expect(args({ display: 'sdl' }, { noDisplay: true })).toContain('-display none');
  });

  test('efi_firmware_code or efi_firmware_vars turns EFI on (and q35), as Packer does', () => {
    const c = config({ efi_firmware_code: '/fw/CODE.fd', efi_firmware_vars: '/fw/VARS.fd' });
    expect(c).toMatchObject({ efiBoot: true, machineType: 'q35', efiFirmwareCode: '/fw/CODE.fd', efiFirmwareVars: '/fw/VARS.fd' });
    expect(args({ efi_firmware_code: '/fw/CODE.fd' })).toContain('-drive if=pflash,format=raw,unit=0,readonly=on,file=/fw/CODE.fd');
    expect(config({ efi_firmware_vars: '/fw/VARS.fd', efi_boot: false }).efiBoot).toBe(false);
  });

  test('vnc_* keys are accepted with a warning that no VNC server runs', () => {
    const p = prepareQemu(rawConfig({ ...BASE, vnc_bind_address: '0.0.0.0', vnc_port_min: 5900, vnc_port_max: 5910, vnc_use_password: true, disable_vnc: true }), ctx);
    expect(p.errors).toEqual([]);
    expect(p.warnings.length).toBe(5);
    expect(p.warnings.every((w) => /not VNC; no VNC server is started/.test(w.detail))).toBe(true);
  });
});

describe('boot_steps', () => {
  test('keys and descriptions, in order; with boot_command too it is an error', () => {
    expect(config({ boot_steps: [['<esc><wait>', 'Open the boot menu'], ['linux ks=x<enter>']] }).bootSteps).toEqual([
      { keys: '<esc><wait>', description: 'Open the boot menu' },
      { keys: 'linux ks=x<enter>', description: null },
    ]);
    const p = prepareQemu(rawConfig({ ...BASE, boot_steps: [['a']], boot_command: ['b'] }), ctx);
    expect(p.errors.map((e) => e.detail)).toEqual(['boot_steps: use either boot_command or boot_steps, not both.']);
  });
});

describe('floppy', () => {
  test('floppy_files, floppy_dirs and floppy_content become a FAT image attached as the floppy, labelled "packer" by default', async () => {
    const src = path.join(work, 'src');
    mkdirSync(path.join(src, 'scripts', 'deep'), { recursive: true });
    writeFileSync(path.join(work, 'ks.cfg'), 'install\n');
    writeFileSync(path.join(src, 'scripts', 'a.ps1'), 'A');
    writeFileSync(path.join(src, 'scripts', 'deep', 'b.ps1'), 'B');
    const c = config({ floppy_files: ['ks.cfg', 'src/scripts'], floppy_dirs: ['src/scripts'], floppy_content: { 'meta/user-data': '#cloud-config\n' } });
    expect(c.floppy?.label).toBe('packer');
    const img = path.join(work, 'floppy.img');
    if (!c.floppy) throw new Error('no floppy');
    await makeFloppy(c.floppy, img);
    const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
    const read = (p: string): string => execFileSync('mtype', ['-i', img, `::${p}`], { encoding: 'utf8', env });
    // floppy_files: files at the root, a directory's files too (flattened); floppy_dirs keep structure.
    expect(read('/ks.cfg')).toBe('install\n');
    expect(read('/a.ps1')).toBe('A');
    expect(read('/b.ps1')).toBe('B');
    expect(read('/scripts/deep/b.ps1')).toBe('B');
    expect(read('/meta/user-data')).toBe('#cloud-config\n');
    expect(execFileSync('mlabel', ['-s', '-i', img, '::'], { encoding: 'utf8', env }).trim()).toBe('Volume label is PACKER');
    expect(execFileSync('minfo', ['-i', img, '::'], { encoding: 'utf8', env })).toMatch(/fat_bits=12|sectors per track: 18/);
    expect(args({}, { floppy: img })).toContain(`-drive file=${img},if=floppy,index=0,format=raw`);
  });

  test('a floppy_label FAT cannot hold is an error naming the key', () => {
    const p = prepareQemu(rawConfig({ ...BASE, floppy_content: { a: 'b' }, floppy_label: 'much-too-long-label' }), ctx);
    expect(p.errors.map((e) => e.detail.split(':')[0])).toEqual(['floppy_label']);
  });
});
