// The qemu builder's configuration (every problem at once, at its key), the QEMU command
// line it produces (only SSH exposed, on 127.0.0.1), and Packer's boot_command syntax.
import { rawConfig, lineOf } from '../../src/core/testing.js';
import { parseBootCommand } from '../../src/vm/boot-command.js';
import { qemuArgs } from './args.js';
import { parseSize, prepareQemu } from './config.js';

const ctx = { templateDir: '/tpl', sourceFullName: 'qemu.vm', buildName: '' };

describe('prepareQemu', () => {
  test('defaults follow Packer: qcow2, output-<name>, packer-<name>, 5m SSH timeout, 10 handshakes', () => {
    const { config, errors } = prepareQemu(rawConfig({ iso_url: 'd.img', iso_checksum: 'none', ssh_username: 'root' }), ctx);
    expect(errors).toEqual([]);
    expect(config).toMatchObject({
      isoUrls: ['/tpl/d.img'],
      format: 'qcow2',
      outputDirectory: '/tpl/output-vm',
      vmName: 'packer-vm',
      accelerator: 'auto',
      cdLabel: 'cidata',
      ssh: { timeoutMs: 300_000, handshakeAttempts: 10, temporaryKey: true, username: 'root' },
    });
  });

  test('reports every problem at once, each at its key', () => {
    const raw = rawConfig({ iso_checksum: 'sha256:xyz', use_backing_file: true, format: 'raw', disk_size: 'huge', vnc_port_min: 5900 });
    const { config, errors, warnings } = prepareQemu(raw, ctx);
    expect(config).toBeNull();
    expect(errors.map((e) => e.detail)).toEqual([
      'iso_url: one of iso_url or iso_urls must be set (the installer ISO, or the disk image with disk_image = true).',
      'iso_checksum: "sha256:xyz" is not "<type>:<hex>" with type md5, sha1, sha256 or sha512, a bare hex digest, "file:<checksum file path or URL>", or "none".',
      'use_backing_file: needs disk_image = true and format = "qcow2".',
      'disk_size: "huge" is not a size such as "10G", "512M" or a number of MiB.',
      'ssh_username: an SSH username is required to connect to the machine.',
    ]);
    expect(errors[2]?.subject?.start.line).toBe(lineOf(raw, 'use_backing_file'));
    expect(warnings.map((w) => w.summary)).toEqual(['Argument is ignored']);
  });

  test('rejects unknown keys with a hint, and still reports the other problems', () => {
    const { errors } = prepareQemu(rawConfig({ iso_url: 'd', iso_checksum: 'sha256:xyz', memroy: 1024 }), ctx);
    expect(errors[0]?.detail).toMatch(/memory/);
    expect(errors.slice(1).map((e) => e.detail.split(':')[0])).toEqual(['iso_checksum', 'ssh_username']);
  });

  test('sizes: Packer reads a bare number as MiB', () => {
    expect(parseSize('2048')).toBe(2048 * 1024 ** 2);
    expect(parseSize('10G')).toBe(10 * 1024 ** 3);
    expect(parseSize('512M')).toBe(512 * 1024 ** 2);
    expect(parseSize('1.5G')).toBeNull();
  });
});

describe('qemuArgs', () => {
  const config = prepareQemu(
    rawConfig({ iso_url: 'd.img', iso_checksum: 'none', disk_image: true, ssh_username: 'root', cpus: 2, memory: 1024, qemuargs: [['-m', '2048M'], ['-device', 'virtio-rng-pci']] }),
    ctx,
  ).config;
  if (!config) throw new Error('config');
  const args = qemuArgs({ config, accelerator: 'tcg', disk: '/b/disk.qcow2', installIso: null, cdIso: '/b/cd.iso', efiVars: null, sshPort: 2222, qmpSocket: '/b/qmp.sock', serialLog: '/b/serial.log', noDisplay: true, floppy: null });

  test('exposes only SSH, forwarded from 127.0.0.1', () => {
    const netdevs = args.filter((_, i) => args[i - 1] === '-netdev');
    expect(netdevs).toEqual(['user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22']);
    expect(args.join(' ')).not.toMatch(/-vnc|-spice|hostfwd=tcp::|0\.0\.0\.0/);
  });

  test('QMP on a unix socket, serial to a file, the seed CD attached', () => {
    expect(args.join(' ')).toContain('-qmp unix:/b/qmp.sock,server=on,wait=off');
    expect(args.join(' ')).toContain('-serial file:/b/serial.log');
    expect(args.join(' ')).toContain('-drive file=/b/cd.iso,media=cdrom,readonly=on');
  });

  test('qemuargs replace defaults with the same flag and append the rest', () => {
    expect(args.filter((a) => a === '-m')).toHaveLength(1);
    expect(args.slice(-4)).toEqual(['-m', '2048M', '-device', 'virtio-rng-pci']);
    expect(args.join(' ')).toContain('-device virtio-net,netdev=n0');
  });
});

describe('parseBootCommand', () => {
  test('text, special keys, modifiers and waits in Packer syntax', () => {
    expect(parseBootCommand('aB<enter><wait><wait5><wait1m30s><leftCtrlOn>c<leftCtrlOff><F12><spacebar>')).toEqual([
      { kind: 'press', qcode: 'a', shift: false },
      { kind: 'press', qcode: 'b', shift: true },
      { kind: 'press', qcode: 'ret', shift: false },
      { kind: 'wait', ms: 1000 },
      { kind: 'wait', ms: 5000 },
      { kind: 'wait', ms: 90_000 },
      { kind: 'hold', qcode: 'ctrl', down: true },
      { kind: 'press', qcode: 'c', shift: false },
      { kind: 'hold', qcode: 'ctrl', down: false },
      { kind: 'press', qcode: 'f12', shift: false },
      { kind: 'press', qcode: 'spc', shift: false },
    ]);
  });

  test('a "<" that opens no known key is typed as itself', () => {
    expect(parseBootCommand('a<b>')).toEqual([
      { kind: 'press', qcode: 'a', shift: false },
      { kind: 'press', qcode: 'comma', shift: true },
      { kind: 'press', qcode: 'b', shift: false },
      { kind: 'press', qcode: 'dot', shift: true },
    ]);
  });

  test('a character no US keyboard has is an error naming it and where', () => {
    expect(() => parseBootCommand('ok é')).toThrow('boot_command: character "é" at offset 3 cannot be typed on a US keyboard; use ASCII or a special key such as <enter>');
  });
});
