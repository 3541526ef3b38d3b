// A Debian VM built the container way, end to end through `bin/imgbuild build` on the
// templates in templates/debian-vm: the container builder bootstraps a rootfs with a
// kernel, systemd, openssh-server and cloud-init (real runc) and the disk, ova and vmware
// post-processors export it; the qemu builder (real QEMU, TCG here) boots the raw disk
// under BIOS, where real cloud-init installs the build's temporary key from the cidata
// seed, runs shell and file provisioners over SSH as the cloud-init user and writes qcow2.
// A UEFI build on top of that output (backing file) finds the first build's changes. The
// OVA's VMDK and the VMware folder's VMDK boot to SSH the same way. Nothing is left behind.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, runCli, type CliResult } from '../helpers/cli.js';

const EPOCH = 1700000000;
const CACHE = process.env['IMGBUILD_CACHE_DIR'] || path.join(homedir(), '.cache', 'imgbuild');
const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-vm-e2e-'));
const dir = path.join(work, 'debian-vm');
const stateDir = path.join(work, 'state');
// QEMU's build dirs go under the cache dir: a cache of this test's own keeps its QEMU
// processes and build dirs apart from other test files running at the same time.
const qemuCache = path.join(work, 'qemu-cache');
const out = (...p: string[]): string => path.join(dir, 'output', ...p);

const BUILD_TIMEOUT = 15 * 60_000;
const BOOT_TIMEOUT = 8 * 60_000;

beforeAll(() => {
  cpSync(path.join(REPO_ROOT, 'templates', 'debian-vm'), dir, { recursive: true });
  mkdirSync(qemuCache);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function build(template: string, vars: Record<string, string>, cache: string, timeoutMs: number): Promise<CliResult> {
  const args = ['build', ...Object.entries(vars).flatMap(([k, v]) => ['-var', `${k}=${v}`]), template];
  return runCli(args, { cwd: dir, env: { IMGBUILD_CACHE_DIR: cache, IMGBUILD_STATE_DIR: stateDir, SOURCE_DATE_EPOCH: String(EPOCH) }, timeoutMs });
}

/** One qemu build of vm.pkr.hcl, which must succeed. */
async function vm(vars: Record<string, string>, template = 'vm.pkr.hcl'): Promise<string> {
  const r = await build(template, vars, qemuCache, BOOT_TIMEOUT);
  if (r.code !== 0) throw new Error(`imgbuild build ${template} exited ${String(r.code)}:\n${r.stdout}\n${r.stderr}`);
  // cloud-init finished without a failing module, and the host name resolves (sudo asks).
  expect(r.stdout).toContain('status: done');
  expect(r.stdout).not.toContain('unable to resolve host');
  expect(leftovers()).toEqual({ qemu: [], buildDirs: [], journal: [] });
  return r.stdout;
}

/** QEMU processes, build dirs and journal entries of this test's builds still around. */
function leftovers(): { qemu: string[]; buildDirs: string[]; journal: string[] } {
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout ?? '';
  const tmp = path.join(qemuCache, 'tmp');
  const journalDir = path.join(stateDir, 'journal');
  return {
    qemu: ps.split('\n').filter((l) => l.includes('qemu-system') && l.includes(tmp)),
    buildDirs: existsSync(tmp) ? readdirSync(tmp).filter((d) => d.startsWith('qemu-')) : [],
    journal: existsSync(journalDir) ? readdirSync(journalDir) : [],
  };
}

const qemuImgInfo = (file: string): { format: string; 'backing-filename'?: string } =>
  JSON.parse(execFileSync('qemu-img', ['info', '--output=json', file], { encoding: 'utf8' })) as { format: string; 'backing-filename'?: string };

test('image.pkr.hcl: one container build exported as a raw disk, an OVA and a VMware folder', async () => {
  const r = await build('image.pkr.hcl', {}, CACHE, BUILD_TIMEOUT);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) as string });
  expect(readdirSync(out('disk'))).toEqual(['debian-vm.raw']);
  expect(readdirSync(out('ova'))).toEqual(['debian-vm.ova']);
  expect(readdirSync(out('vmware')).sort()).toEqual(['debian-vm.vmdk', 'debian-vm.vmx']);
  expect(execFileSync('sgdisk', ['-v', out('disk', 'debian-vm.raw')], { encoding: 'utf8' })).toContain('No problems found');
  expect(leftovers().journal).toEqual([]);
}, BUILD_TIMEOUT);

test('vm.pkr.hcl under BIOS: cloud-init takes the build key from the seed, provisioners run over SSH, qcow2 out', async () => {
  const stdout = await vm({ output_directory: 'output/bios', build_label: 'bios-build', motd: 'motd from the BIOS build' });
  expect(stdout).toContain('Created a temporary SSH key pair');
  expect(stdout).toContain('firmware: bios');
  expect(stdout).toMatch(/debian: 12\.\d+/);
  expect(stdout).toMatch(/earlier builds of this disk: *\n/);
  const info = qemuImgInfo(out('bios', 'debian-vm.qcow2'));
  expect(info.format).toBe('qcow2');
  expect(info['backing-filename']).toBeUndefined();
}, BOOT_TIMEOUT);

test('vm.pkr.hcl under UEFI over the BIOS output (backing file): the first build’s changes persisted', async () => {
  const bios = out('bios', 'debian-vm.qcow2');
  const stdout = await vm({ disk_image: bios, use_backing_file: 'true', efi_boot: 'true', output_directory: 'output/uefi', build_label: 'uefi-build' });
  expect(stdout).toContain('firmware: uefi');
  expect(stdout).toContain('earlier builds of this disk: bios-build (bios)\n');
  expect(stdout).toContain('motd: motd from the BIOS build');
  expect(readdirSync(out('uefi')).sort()).toEqual(['debian-vm.qcow2', 'efivars.fd']);
  expect(qemuImgInfo(out('uefi', 'debian-vm.qcow2'))['backing-filename']).toBe(bios);
}, BOOT_TIMEOUT);

test('the OVA’s VMDK boots to SSH under the qemu builder', async () => {
  const x = path.join(work, 'ova');
  mkdirSync(x);
  execFileSync('tar', ['-xf', out('ova', 'debian-vm.ova'), '-C', x]);
  const vmdk = path.join(x, 'debian-vm-disk001.vmdk');
  expect(qemuImgInfo(vmdk).format).toBe('vmdk');
  const stdout = await vm({ disk_image: vmdk, use_backing_file: 'true', output_directory: 'output/from-ova', build_label: 'from-ova' });
  expect(stdout).toMatch(/firmware: bios\n[\s\S]*debian: 12\.\d+\n[\s\S]*earlier builds of this disk: *\n/);
}, BOOT_TIMEOUT);

test('the VMware folder’s VMDK boots to SSH under the qemu builder, and comes back after a reboot (expect_disconnect)', async () => {
  const vmdk = out('vmware', 'debian-vm.vmdk');
  // A template of the test's own: the source of vm.pkr.hcl, and a provisioner that reboots
  // the guest in the middle of the build, as templates do after a kernel upgrade.
  const vmHcl = readFileSync(path.join(dir, 'vm.pkr.hcl'), 'utf8');
  const reboot = vmHcl.slice(0, vmHcl.indexOf('build {')) +
    `build {
  sources = ["source.qemu.debian-vm"]
  provisioner "shell" {
    inline = ["cloud-init status --wait", "echo boot before: $(cat /proc/sys/kernel/random/boot_id)"]
  }
  provisioner "shell" {
    expect_disconnect = true
    inline            = ["sudo systemctl reboot"]
  }
  provisioner "shell" {
    pause_before = "10s"
    inline       = ["cloud-init status --wait", "echo boot after: $(cat /proc/sys/kernel/random/boot_id)", "echo firmware: $(test -d /sys/firmware/efi && echo uefi || echo bios)"]
  }
}
`;
  writeFileSync(path.join(dir, 'reboot.pkr.hcl'), reboot);
  const stdout = await vm({ disk_image: vmdk, use_backing_file: 'true', output_directory: 'output/from-vmware', build_label: 'from-vmware' }, 'reboot.pkr.hcl');
  const before = /boot before: ([0-9a-f-]{36})/.exec(stdout)?.[1];
  const after = /boot after: ([0-9a-f-]{36})/.exec(stdout)?.[1];
  expect(before).toBeDefined();
  expect(after).toBeDefined();
  expect(after).not.toBe(before);
  expect(stdout).toContain('firmware: bios');
  expect(qemuImgInfo(out('from-vmware', 'debian-vm.qcow2'))['backing-filename']).toBe(vmdk);
}, BOOT_TIMEOUT);
