// The qemu builder end to end through `bin/imgbuild build`, with real QEMU (TCG here), a
// real Debian guest and real sshd: a Debian rootfs with openssh-server (mmdebstrap, cached)
// made bootable by src/disk, booted by the builder, provisioned over SSH with the shell
// and file provisioners (upload, directory upload, download), shut down and written out as
// qcow2. A second build boots that output through a backing file and finds the first
// build's changes. UEFI boots through OVMF with per-build variables. An interrupted build
// leaves no QEMU, no build dir and no journal entry.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { generateEd25519KeyPair } from '../../src/communicators/ssh/keys.js';
import { bootstrapTarball } from '../../src/bootstrap/index.js';
import { rootfsToRawDisk } from '../../src/disk/raw-disk.js';
import { extractTarball } from '../../src/disk/test-support.js';
import { collect, runCli, startCli, waitForOutput } from '../helpers/cli.js';

const EPOCH = 1700000000;
const CACHE = process.env['IMGBUILD_CACHE_DIR'] || path.join(homedir(), '.cache', 'imgbuild');
const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-qemu-e2e-'));
const stateDir = path.join(work, 'state');
const key = generateEd25519KeyPair('e2e');
const keyFile = path.join(work, 'id_ed25519');
const disk = path.join(work, 'debian.raw');
let diskSha = '';

// The builds' own cache dir: their QEMU processes and build dirs (under <cache>/tmp) are then
// this test's alone, whatever else runs on the machine. The bootstrap base stays shared.
const buildCache = path.join(work, 'build-cache');
const env = (): Record<string, string> => ({ IMGBUILD_CACHE_DIR: buildCache, IMGBUILD_STATE_DIR: stateDir, SOURCE_DATE_EPOCH: String(EPOCH) });

beforeAll(async () => {
  writeFileSync(keyFile, key.privateKey, { mode: 0o600 });
  const tarball = await bootstrapTarball(
    { suite: 'bookworm', variant: 'minbase', packages: ['linux-image-amd64', 'systemd-sysv', 'udev', 'openssh-server'] },
    { cacheDir: CACHE, sourceDateEpoch: EPOCH },
  );
  const rootfs = path.join(work, 'rootfs');
  extractTarball(tarball, rootfs);
  // DHCP on QEMU's user network through systemd-networkd, which ships with systemd.
  writeFileSync(path.join(rootfs, 'etc/systemd/network/10-dhcp.network'), '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n');
  for (const [dir, unit] of [
    ['multi-user.target.wants', 'systemd-networkd.service'],
    ['sockets.target.wants', 'systemd-networkd.socket'],
  ] as const) {
    mkdirSync(path.join(rootfs, 'etc/systemd/system', dir), { recursive: true });
    const link = path.join(rootfs, 'etc/systemd/system', dir, unit);
    if (!existsSync(link)) symlinkSync(`/lib/systemd/system/${unit}`, link);
  }
  // A stand-in for cloud-init's NoCloud: at boot, keys on a CD labelled "cidata" are added
  // to root's authorized_keys, so the build's temporary key gets in the way it would.
  writeFileSync(
    path.join(rootfs, 'usr/local/sbin/seed-keys'),
    '#!/bin/sh\nfor i in $(seq 30); do [ -e /dev/disk/by-label/cidata ] && break; sleep 1; done\n' +
      'mkdir -p /run/seed && mount -o ro /dev/disk/by-label/cidata /run/seed || exit 0\n' +
      'cat /run/seed/authorized_keys >> /root/.ssh/authorized_keys; umount /run/seed\n',
    { mode: 0o755 },
  );
  writeFileSync(
    path.join(rootfs, 'etc/systemd/system/seed-keys.service'),
    '[Unit]\nBefore=ssh.service\nAfter=systemd-udev-settle.service local-fs.target\n\n[Service]\nType=oneshot\nExecStart=/usr/local/sbin/seed-keys\n\n[Install]\nWantedBy=multi-user.target\n',
  );
  symlinkSync('/etc/systemd/system/seed-keys.service', path.join(rootfs, 'etc/systemd/system/multi-user.target.wants/seed-keys.service'));
  mkdirSync(path.join(rootfs, 'root/.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(rootfs, 'root/.ssh/authorized_keys'), `${key.publicKey}\n`, { mode: 0o600 });
  chmodSync(path.join(rootfs, 'root/.ssh'), 0o700);
  // This guest has no GRUB packages (a minimal bootstrap): the host-GRUB opt-in boots it, which is
  // all this test needs; the guest's own boot chain is tested in disk-boot and vm-from-container.
  await rootfsToRawDisk({ rootfsDir: rootfs, output: disk, sourceDateEpoch: EPOCH, bootMode: 'bios+uefi', bootloader: 'host' });
  rmSync(rootfs, { recursive: true, force: true });
  diskSha = execFileSync('sha256sum', [disk], { encoding: 'utf8' }).split(' ')[0] ?? '';
}, 20 * 60_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function template(name: string, source: string, provisioners: string, auth = `ssh_private_key_file = ${JSON.stringify(keyFile)}`): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'build.pkr.hcl'),
    `source "qemu" "${name}" {
${source}
  format           = "qcow2"
  cpus             = 2
  memory           = 1024
  headless         = true
  boot_wait        = "0s"
  ssh_username     = "root"
  ${auth}
  ssh_timeout      = "4m"
  shutdown_command = "systemctl poweroff"
  shutdown_timeout = "2m"
  output_directory = "out"
  vm_name          = "${name}.qcow2"
}

build {
  sources = ["source.qemu.${name}"]
${provisioners}
}
`,
  );
  return dir;
}

/** QEMU processes and build dirs of this test's builds that are still around. */
function leftovers(): { qemu: string[]; buildDirs: string[]; journal: string[] } {
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout ?? '';
  const tmp = path.join(buildCache, 'tmp');
  const journalDir = path.join(stateDir, 'journal');
  return {
    qemu: ps.split('\n').filter((l) => l.includes('qemu-system') && l.includes(path.join(buildCache, 'tmp', 'qemu-'))),
    buildDirs: existsSync(tmp) ? readdirSync(tmp).filter((d) => d.startsWith('qemu-')) : [],
    journal: existsSync(journalDir) ? readdirSync(journalDir) : [],
  };
}

const BUILD_TIMEOUT = 12 * 60_000;

test('builds a qcow2 from a Debian disk image, provisioned over SSH; a second boot sees the changes', async () => {
  const tree = path.join(work, 'tree');
  mkdirSync(path.join(tree, 'sub'), { recursive: true });
  writeFileSync(path.join(tree, 'sub', 'data.txt'), 'tree data\n');
  const first = template(
    'first',
    `  iso_url          = ${JSON.stringify(`file://${disk}`)}
  iso_checksum     = "sha256:${diskSha}"
  disk_image       = true
  disk_size        = "3G"
  disk_compression = true
  cd_content       = { "authorized_keys" = "{{ .SSHPublicKey }}\\n" }
  http_content     = { "/hello.txt" = "served to {{ .Name }}" }`,
    `  provisioner "shell" {
    inline = ["echo provisioned-by-imgbuild > /etc/imgbuild-marker", "echo \\"host=$PACKER_BUILDER_TYPE\\"", "cat /etc/debian_version"]
  }
  provisioner "shell" {
    inline_shebang = "/bin/bash -e"
    inline = ["exec 3<>/dev/tcp/$\${PACKER_HTTP_IP}/$\${PACKER_HTTP_PORT}; printf 'GET /hello.txt HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3"]
  }
  provisioner "file" {
    content     = "hello from the file provisioner\\n"
    destination = "/root/from-file.txt"
  }
  provisioner "file" {
    source      = ${JSON.stringify(`${tree}/`)}
    destination = "/opt/tree"
  }
  provisioner "file" {
    direction   = "download"
    source      = "/etc/os-release"
    destination = ${JSON.stringify(path.join(work, 'os-release'))}
  }`,
    '# no credentials: a temporary key pair, delivered on the cidata CD',
  );
  const r = await runCli(['build', 'build.pkr.hcl'], { cwd: first, env: env(), timeoutMs: BUILD_TIMEOUT });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) as string });
  expect(r.stdout).toContain('Created a temporary SSH key pair');
  expect(r.stdout).toContain('host=qemu');
  expect(r.stdout).toContain('served to first.qcow2');
  expect(r.stdout).toMatch(/\b12\.\d+/);
  expect(readFileSync(path.join(work, 'os-release'), 'utf8')).toContain('bookworm');
  const out = path.join(first, 'out', 'first.qcow2');
  const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', out], { encoding: 'utf8' })) as { format: string; 'virtual-size': number; 'backing-filename'?: string };
  expect(info.format).toBe('qcow2');
  expect(info['virtual-size']).toBe(3 * 1024 ** 3);
  expect(info['backing-filename']).toBeUndefined();
  expect(leftovers()).toEqual({ qemu: [], buildDirs: [], journal: [] });

  // Second build: boots the first build's output through a backing file and checks it.
  const second = template(
    'second',
    `  iso_url          = ${JSON.stringify(out)}
  iso_checksum     = "none"
  disk_image       = true
  use_backing_file = true
  disk_interface   = "sata"
  floppy_content   = { "hello.txt" = "from the floppy" }
  floppy_label     = "seed"
  boot_steps       = [["<wait>", "Letting the guest start"]]`,
    `  provisioner "shell" {
    inline = [
      "cat /etc/imgbuild-marker /root/from-file.txt /opt/tree/sub/data.txt",
      "modprobe floppy; mkdir -p /mnt/fd && mount -t vfat -o ro /dev/fd0 /mnt/fd && cat /mnt/fd/hello.txt && echo",
      "echo root-disk-on=$(readlink -f /sys/block/sda/device | grep -o ata[0-9]*)",
    ]
  }`,
  );
  const r2 = await runCli(['build', 'build.pkr.hcl'], { cwd: second, env: env(), timeoutMs: BUILD_TIMEOUT });
  expect({ code: r2.code, stderr: r2.stderr }).toEqual({ code: 0, stderr: expect.any(String) as string });
  expect(r2.stdout).toContain('provisioned-by-imgbuild');
  expect(r2.stdout).toContain('hello from the file provisioner');
  expect(r2.stdout).toContain('tree data');
  // Packer's qemu keys in a real guest: the floppy readable, the disk on the AHCI (sata) bus,
  // the boot step's description shown.
  expect(r2.stdout).toContain('from the floppy');
  expect(r2.stdout).toMatch(/root-disk-on=ata\d+/);
  expect(r2.stdout).toContain('[1/1] Letting the guest start');
  const info2 = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', path.join(second, 'out', 'second.qcow2')], { encoding: 'utf8' })) as { 'backing-filename'?: string };
  expect(info2['backing-filename']).toBe(out);
  expect(leftovers()).toEqual({ qemu: [], buildDirs: [], journal: [] });
}, 2 * BUILD_TIMEOUT);

test('SIGINT while waiting for SSH stops QEMU and removes everything', async () => {
  const dir = template(
    'interrupted',
    `  iso_url          = ${JSON.stringify(disk)}
  iso_checksum     = "sha256:${diskSha}"
  disk_image       = true`,
    '',
  );
  const child = startCli(['build', 'build.pkr.hcl'], { cwd: dir, env: env() });
  const done = collect(child, { timeoutMs: 120_000 });
  await waitForOutput(child, /Waiting for SSH/, 90_000);
  expect(leftovers().qemu).toHaveLength(1);
  child.kill('SIGINT');
  const r = await done;
  expect(r.code).toBe(130);
  expect(leftovers()).toEqual({ qemu: [], buildDirs: [], journal: [] });
  expect(existsSync(path.join(dir, 'out'))).toBe(false);
}, 180_000);

test('UEFI: boots the disk with OVMF from a per-build copy of the variables, which ships beside a raw disk', async () => {
  const dir = template(
    'uefi',
    `  iso_url          = ${JSON.stringify(disk)}
  iso_checksum     = "sha256:${diskSha}"
  disk_image       = true
  efi_boot         = true`,
    `  provisioner "shell" {
    inline = ["test -d /sys/firmware/efi && echo booted-uefi"]
  }`,
  );
  const hcl = path.join(dir, 'build.pkr.hcl');
  writeFileSync(hcl, readFileSync(hcl, 'utf8').replace('format           = "qcow2"', 'format           = "raw"'));
  const r = await runCli(['build', 'build.pkr.hcl'], { cwd: dir, env: env(), timeoutMs: BUILD_TIMEOUT });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) as string });
  expect(r.stdout).toContain('booted-uefi');
  expect(readdirSync(path.join(dir, 'out')).sort()).toEqual(['efivars.fd', 'uefi.qcow2']);
  const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', path.join(dir, 'out', 'uefi.qcow2')], { encoding: 'utf8' })) as { format: string };
  expect(info.format).toBe('raw');
  expect(leftovers()).toEqual({ qemu: [], buildDirs: [], journal: [] });
}, BUILD_TIMEOUT);
