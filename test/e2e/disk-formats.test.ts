// The disk, ova and vmware post-processors end to end on a container-image artifact (an OCI
// layout holding a bootable Debian rootfs): every format holds the same disk as the raw one
// (qemu-img compare), a second run gives the same bytes in every format, the OVA is a
// consistent OVF package (sizes, capacity, manifest digests, entry order), and the VMware
// folder has a .vmx naming its monolithicSparse VMDK. Both VMDKs boot to SSH under the qemu
// builder in vm-from-container.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemorySink, makeUi } from '../../src/core/events.js';
import type { Artifact, PostProcessContext } from '../../src/core/plugin.js';
import { rawConfig } from '../../src/core/testing.js';
import { importRootfsTarball } from '../../src/oci/archive.js';
import { STATE_MANIFEST_DIGEST, STATE_OCI_LAYOUT } from '../../src/oci/artifact-state.js';
import { OciLayout } from '../../src/oci/layout.js';
import { STATE_DISK_RAW } from '../../src/disk/artifact.js';
import { VM_EPOCH, vmRootfsTarball } from '../../src/disk/test-support.js';
import { diskPostProcessor } from '../../post-processors/disk/index.js';
import { ovaPostProcessor } from '../../post-processors/ova/index.js';
import { vmwarePostProcessor } from '../../post-processors/vmware/index.js';

const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-disk-formats-'));
const FORMATS = ['raw', 'qcow2', 'vmdk', 'vhd', 'vhdx'] as const;
const QEMU_FORMAT: Record<string, string> = { raw: 'raw', qcow2: 'qcow2', vmdk: 'vmdk', vhd: 'vpc', vhdx: 'vhdx' };
let image: Artifact;
let prevEpoch: string | undefined;

function ctx(force = false): PostProcessContext {
  return {
    signal: new AbortController().signal,
    ui: makeUi('container.vm', new MemorySink()),
    journal: { record: () => Promise.resolve({} as never), complete: (e) => Promise.resolve(e), strike: () => Promise.resolve() },
    build: { buildName: '', sourceFullName: 'container.vm', sourceType: 'container', sourceName: 'vm', runId: 'r', templateDir: work },
    generated: {},
    force,
  };
}
const prep = <C>(pp: { prepare: (r: ReturnType<typeof rawConfig>, c: { templateDir: string; sourceFullName: string; buildName: string }) => { config: C | null; errors: unknown[] } }, values: Parameters<typeof rawConfig>[0]): C => {
  const p = pp.prepare(rawConfig(values), { templateDir: work, sourceFullName: 'container.vm', buildName: '' });
  expect(p.errors).toEqual([]);
  return p.config as C;
};
const sha256 = (f: string): string => execFileSync('sha256sum', [f], { encoding: 'utf8' }).split(' ')[0] ?? '';

beforeAll(async () => {
  prevEpoch = process.env['SOURCE_DATE_EPOCH'];
  process.env['SOURCE_DATE_EPOCH'] = String(VM_EPOCH);
  const layout = await OciLayout.create(path.join(work, 'oci'));
  const desc = await importRootfsTarball(await vmRootfsTarball(), layout, { sourceDateEpoch: VM_EPOCH, refName: 'vm' });
  image = {
    builderId: 'imgbuild.container', id: desc.digest, files: [], description: '',
    state: { [STATE_OCI_LAYOUT]: layout.dir, [STATE_MANIFEST_DIGEST]: desc.digest },
    destroy: () => Promise.resolve(),
  };
}, 15 * 60_000);

afterAll(() => {
  if (prevEpoch === undefined) delete process.env['SOURCE_DATE_EPOCH'];
  else process.env['SOURCE_DATE_EPOCH'] = prevEpoch;
  rmSync(work, { recursive: true, force: true });
});

describe('disk, ova and vmware post-processors', () => {
  let diskArtifact: Artifact;

  it('disk: one container image to raw, qcow2, vmdk, vhd and vhdx holding the same disk, byte-identical on a second run', async () => {
    const config = prep(diskPostProcessor, { formats: [...FORMATS], output_directory: 'out-disk', disk_size: '2G' });
    const first = await diskPostProcessor.process(ctx(), image, config);
    diskArtifact = first.artifact;
    const raw = path.join(work, 'out-disk', 'vm.raw');
    expect(first.artifact.files).toEqual(FORMATS.map((f) => path.join(work, 'out-disk', `vm.${f}`)));
    expect(first.artifact.state[STATE_DISK_RAW]).toBe(raw);
    expect(execFileSync('stat', ['-c', '%s', raw], { encoding: 'utf8' }).trim()).toBe(String(2 * 1024 ** 3));
    for (const f of FORMATS.slice(1)) {
      const out = execFileSync('qemu-img', ['compare', '-f', 'raw', '-F', QEMU_FORMAT[f] ?? f, raw, path.join(work, 'out-disk', `vm.${f}`)], { encoding: 'utf8' });
      expect(`${f}: ${out.trim()}`).toBe(`${f}: Images are identical.`);
    }
    const sums = first.artifact.files.map(sha256);
    const again = await diskPostProcessor.process(ctx(true), image, config);
    expect(again.artifact.files.map(sha256)).toEqual(sums);
  }, 15 * 60_000);

  it('ova: a consistent OVF package (ovf, mf, vmdk in order) holding the same disk', async () => {
    const config = prep(ovaPostProcessor, { output_directory: 'out-ova', cpus: 2, memory: 1024 });
    const res = await ovaPostProcessor.process(ctx(), diskArtifact, config);
    const ova = path.join(work, 'out-ova', 'vm.ova');
    expect(res.artifact.files).toEqual([ova]);
    const listing = execFileSync('tar', ['-tvf', ova], { encoding: 'utf8' }).trim().split('\n');
    expect(listing.map((l) => l.split(/\s+/).pop())).toEqual(['vm.ovf', 'vm.mf', 'vm-disk001.vmdk']);
    const x = path.join(work, 'ova-x');
    execFileSync('mkdir', ['-p', x]);
    execFileSync('tar', ['-xf', ova, '-C', x]);
    const ovf = readFileSync(path.join(x, 'vm.ovf'), 'utf8');
    const vmdk = path.join(x, 'vm-disk001.vmdk');
    const vmdkSize = Number(execFileSync('stat', ['-c', '%s', vmdk], { encoding: 'utf8' }));
    expect(ovf).toContain(`<File ovf:id="file1" ovf:href="vm-disk001.vmdk" ovf:size="${vmdkSize}"/>`);
    const capacity = Number(/ovf:capacity="(\d+)"/.exec(ovf)?.[1]);
    const populated = Number(/ovf:populatedSize="(\d+)"/.exec(ovf)?.[1]);
    expect(capacity).toBe(2 * 1024 ** 3);
    expect(populated).toBeGreaterThan(100 * 1024 ** 2);
    expect(populated).toBeLessThan(capacity);
    expect(ovf).toMatch(/<OperatingSystemSection ovf:id="96">[\s\S]*<vbox:OSType ovf:required="false">Debian_64<\/vbox:OSType>/);
    expect(ovf).toMatch(/<rasd:ResourceSubType>E1000<\/rasd:ResourceSubType>/);
    expect(ovf).toMatch(/<rasd:Connection>NAT<\/rasd:Connection>/);
    expect(ovf).toMatch(/<rasd:HostResource>ovf:\/disk\/vmdisk1<\/rasd:HostResource>/);
    expect(ovf).toMatch(/<VirtualSystem ovf:id="vm">\n\s*<Info>[^<]*<\/Info>\n\s*<Name>vm<\/Name>/);
    expect(ovf).toMatch(/<rasd:VirtualQuantity>2<\/rasd:VirtualQuantity>/);
    // Well-formed: every opening tag closed in order.
    const stack: string[] = [];
    for (const m of ovf.matchAll(/<(\/?)([A-Za-z:]+)[^>]*?(\/?)>/g)) {
      if (m[3] === '/') continue;
      if (m[1] === '/') expect(stack.pop()).toBe(m[2]);
      else stack.push(m[2] ?? '');
    }
    expect(stack).toEqual([]);
    expect(readFileSync(path.join(x, 'vm.mf'), 'utf8')).toBe(`SHA256(vm.ovf)= ${sha256(path.join(x, 'vm.ovf'))}\nSHA256(vm-disk001.vmdk)= ${sha256(vmdk)}\n`);
    expect(execFileSync('qemu-img', ['info', vmdk], { encoding: 'utf8' })).toMatch(/create type: streamOptimized/);
    expect(readFileSync(vmdk).subarray(0, 64 * 1024).toString('latin1')).toMatch(/RW \d+ SPARSE "vm-disk001\.vmdk"/);
    const raw = diskArtifact.state[STATE_DISK_RAW] as string;
    expect(execFileSync('qemu-img', ['compare', '-f', 'raw', '-F', 'vmdk', raw, vmdk], { encoding: 'utf8' }).trim()).toBe('Images are identical.');
  }, 10 * 60_000);

  it('vmware: a .vmx with guestOS, memory, CPUs, SATA disk, e1000 NAT and EFI firmware beside its VMDK', async () => {
    const config = prep(vmwarePostProcessor, { output_directory: 'out-vmware', cpus: 2, memory: 2048, firmware: 'efi', vmx_data: { 'serial0.present': 'TRUE' } });
    const res = await vmwarePostProcessor.process(ctx(), diskArtifact, config);
    const dir = path.join(work, 'out-vmware');
    expect(res.artifact.files).toEqual([path.join(dir, 'vm.vmx'), path.join(dir, 'vm.vmdk')]);
    const text = readFileSync(path.join(dir, 'vm.vmx'), 'utf8');
    for (const line of ['guestOS = "debian11-64"', 'memsize = "2048"', 'numvcpus = "2"', 'firmware = "efi"', 'sata0.present = "TRUE"', 'sata0:0.fileName = "vm.vmdk"', 'ethernet0.virtualDev = "e1000"', 'ethernet0.connectionType = "nat"', 'serial0.present = "TRUE"']) {
      expect(text).toContain(`${line}\n`);
    }
    const info = execFileSync('qemu-img', ['info', path.join(dir, 'vm.vmdk')], { encoding: 'utf8' });
    expect(info).toMatch(/create type: monolithicSparse/);
    // The descriptor sits in the VMDK's first sectors; the adapter must match the SATA controller.
    const head = readFileSync(path.join(dir, 'vm.vmdk')).subarray(0, 64 * 1024).toString('latin1');
    expect(head).toContain('ddb.adapterType = "ide"');
    expect(head).toContain('RW 4194304 SPARSE "vm.vmdk"');
  }, 5 * 60_000);

  it('ova: refuses an artifact without a disk, saying what to put before it', async () => {
    const config = prep(ovaPostProcessor, { output_directory: 'out-none' });
    const none: Artifact = { builderId: 'packer.null', id: 'x', files: [path.join(work, 'notes.txt')], description: '', state: {}, destroy: () => Promise.resolve() };
    await expect(ovaPostProcessor.process(ctx(), none, config)).rejects.toThrow(
      'ova: artifact from packer.null has no disk (expects a container image, or a .raw/.img/.qcow2/.vmdk/.vhd/.vhdx file); put a container build or the disk post-processor before it',
    );
  });
});
