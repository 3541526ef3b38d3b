// Packer's qemu builder keys (packer-plugin-qemu builder/qemu/config.go), the subset that
// imgbuild implements, plus the SSH communicator's. Validation is pure: files are looked at
// when the build runs. Keys that only make sense for VNC or other hosts are accepted with
// a warning so Packer templates keep validating.
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { diagnosticAt, durationSchema, prepareConfig } from '../../src/core/config.js';
import type { Prepared, PrepareContext, RawConfig } from '../../src/core/plugin.js';
import type { Diagnostic } from '../../src/hcl/diagnostic.js';
import type { FloppyImageSpec } from '../../src/vm/floppy.js';
import { sshConfigFrom, sshConfigShape, type SshConfig } from '../../src/communicators/ssh/config.js';

export const qemuSchema = z.object({
  iso_url: z.string().optional(),
  iso_urls: z.array(z.string()).optional(),
  iso_checksum: z.string().optional(),
  disk_image: z.boolean().optional(),
  use_backing_file: z.boolean().optional(),
  skip_compaction: z.boolean().optional(),
  disk_size: z.string().optional(),
  format: z.enum(['qcow2', 'raw']).optional(),
  disk_compression: z.boolean().optional(),
  disk_interface: z.enum(['virtio', 'virtio-scsi', 'scsi', 'ide', 'sata', 'nvme']).optional(),
  disk_cache: z.enum(['writeback', 'writethrough', 'none', 'unsafe', 'directsync']).optional(),
  disk_discard: z.enum(['ignore', 'unmap']).optional(),
  disk_detect_zeroes: z.enum(['off', 'on', 'unmap']).optional(),
  cpu_model: z.string().optional(),
  net_device: z.string().optional(),
  accelerator: z.enum(['none', 'kvm', 'tcg']).optional(),
  cpus: z.number().int().min(1).optional(),
  memory: z.number().int().min(64).optional(),
  machine_type: z.string().optional(),
  qemu_binary: z.string().optional(),
  qemuargs: z.array(z.array(z.string())).optional(),
  efi_boot: z.boolean().optional(),
  efi_firmware_code: z.string().optional(),
  efi_firmware_vars: z.string().optional(),
  headless: z.boolean().optional(),
  display: z.string().optional(),
  use_default_display: z.boolean().optional(),
  floppy_files: z.array(z.string()).optional(),
  floppy_dirs: z.array(z.string()).optional(),
  floppy_content: z.record(z.string()).optional(),
  floppy_label: z.string().optional(),
  cd_files: z.array(z.string()).optional(),
  cd_content: z.record(z.string()).optional(),
  cd_label: z.string().optional(),
  http_directory: z.string().optional(),
  http_content: z.record(z.string()).optional(),
  http_port_min: z.number().int().min(0).max(65535).optional(),
  http_port_max: z.number().int().min(0).max(65535).optional(),
  boot_wait: durationSchema().optional(),
  boot_command: z.array(z.string()).optional(),
  boot_steps: z.array(z.array(z.string()).min(1).max(2)).optional(),
  boot_key_interval: durationSchema().optional(),
  shutdown_command: z.string().optional(),
  shutdown_timeout: durationSchema().optional(),
  output_directory: z.string().optional(),
  vm_name: z.string().optional(),
  ...sshConfigShape,
});

const NO_VNC = 'imgbuild types boot_command through QMP, not VNC; no VNC server is started (see builders/qemu/README.md).';
const IGNORED: Record<string, string> = {
  vnc_bind_address: NO_VNC,
  vnc_port_min: NO_VNC,
  vnc_port_max: NO_VNC,
  vnc_use_password: NO_VNC,
  disable_vnc: NO_VNC,
  http_bind_address: 'The HTTP server always listens on 127.0.0.1 only; the guest reaches it as 10.0.2.2.',
  host_port_min: 'The SSH port is forwarded from a free port on 127.0.0.1 chosen at run time.',
  host_port_max: 'The SSH port is forwarded from a free port on 127.0.0.1 chosen at run time.',
};

export interface QemuConfig {
  /** Candidate sources, tried in order (iso_url first, then iso_urls). */
  isoUrls: string[];
  /** "sha256:hex", or "none"; null only when the config is incomplete. */
  isoChecksum: string;
  diskImage: boolean;
  useBackingFile: boolean;
  skipCompaction: boolean;
  /** Bytes; null: leave the image's size (disk_image) or 40 GiB (fresh disk). */
  diskSizeBytes: number | null;
  format: 'qcow2' | 'raw';
  diskCompression: boolean;
  diskInterface: DiskInterface;
  /** QEMU's -drive cache= (Packer's default writeback). */
  diskCache: string;
  /** -drive discard= (Packer's default ignore). */
  diskDiscard: 'ignore' | 'unmap';
  /** -drive detect-zeroes=; "off" is left out of the command line, as Packer does. */
  diskDetectZeroes: 'off' | 'on' | 'unmap';
  /** -cpu; null: "host" under KVM, "max" under TCG. */
  cpuModel: string | null;
  netDevice: string;
  accelerator: 'auto' | 'none' | 'kvm' | 'tcg';
  cpus: number;
  memoryMb: number;
  machineType: string;
  qemuBinary: string;
  qemuArgs: string[][];
  efiBoot: boolean;
  efiFirmwareCode: string;
  efiFirmwareVars: string;
  headless: boolean;
  /** -display when not headless; null with use_default_display (QEMU chooses). */
  display: string | null;
  floppy: FloppySpec | null;
  cdFiles: string[];
  cdContent: Record<string, string>;
  cdLabel: string;
  httpDirectory: string | null;
  httpContent: Record<string, string>;
  httpPortMin: number;
  httpPortMax: number;
  bootWaitMs: number;
  bootCommand: string[];
  /** Packer's boot_steps: keys typed in order, each with the description shown as it runs. */
  bootSteps: { keys: string; description: string | null }[];
  bootKeyIntervalMs: number;
  shutdownCommand: string | null;
  shutdownTimeoutMs: number;
  outputDirectory: string;
  vmName: string;
  communicator: 'ssh' | 'none';
  ssh: SshConfig;
}

export type DiskInterface = 'virtio' | 'virtio-scsi' | 'scsi' | 'ide' | 'sata' | 'nvme';

/** floppy_files (a listed directory's files go to the root), floppy_dirs, floppy_content. */
export type FloppySpec = FloppyImageSpec;

export const DEFAULT_OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const DEFAULT_OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

export function prepareQemu(raw: RawConfig, ctx: PrepareContext): Prepared<QemuConfig> {
  const prepared = prepareConfig(qemuSchema, raw, { ignored: IGNORED });
  const errors: Diagnostic[] = [...prepared.errors];
  // An unknown key makes the whole config null; the checks below still run on the known
  // keys so every problem is reported at once, not one round of fixes at a time.
  const c = prepared.config ?? prepareConfig(qemuSchema, { ...raw, values: knownKeys(raw) }).config;
  if (!c) return { config: null, warnings: prepared.warnings, errors };
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(ctx.templateDir, p));
  const urls = [...(c.iso_url !== undefined ? [c.iso_url] : []), ...(c.iso_urls ?? [])];
  if (urls.length === 0) {
    errors.push(diagnosticAt(raw, ['iso_url'], 'Missing required argument', 'iso_url: one of iso_url or iso_urls must be set (the installer ISO, or the disk image with disk_image = true).'));
  }
  if (c.iso_checksum === undefined || c.iso_checksum === '') {
    errors.push(diagnosticAt(raw, ['iso_checksum'], 'Missing required argument', 'iso_checksum: set "sha256:<hex>" (or "none" to skip verification).'));
  } else if (!/^(none|file:.+|(md5|sha1|sha256|sha512):[0-9a-fA-F]+|[0-9a-fA-F]{32,128})$/.test(c.iso_checksum)) {
    errors.push(diagnosticAt(raw, ['iso_checksum'], 'Invalid value', `iso_checksum: "${c.iso_checksum}" is not "<type>:<hex>" with type md5, sha1, sha256 or sha512, a bare hex digest, "file:<checksum file path or URL>", or "none".`));
  }
  const format = c.format ?? 'qcow2';
  const useBackingFile = c.use_backing_file ?? false;
  if (useBackingFile && (format !== 'qcow2' || c.disk_image !== true)) {
    errors.push(diagnosticAt(raw, ['use_backing_file'], 'Invalid combination', 'use_backing_file: needs disk_image = true and format = "qcow2".'));
  }
  let diskSizeBytes: number | null = null;
  if (c.disk_size !== undefined) {
    diskSizeBytes = parseSize(c.disk_size);
    if (diskSizeBytes === null) errors.push(diagnosticAt(raw, ['disk_size'], 'Invalid value', `disk_size: "${c.disk_size}" is not a size such as "10G", "512M" or a number of MiB.`));
  }
  const portMin = c.http_port_min ?? 8000;
  const portMax = c.http_port_max ?? 9000;
  if (portMin > portMax) errors.push(diagnosticAt(raw, ['http_port_min'], 'Invalid value', `http_port_min: ${portMin} is above http_port_max ${portMax}.`));
  // Packer (QemuEFIBootConfig.loadDefaults): setting either firmware file turns EFI on.
  const efiBoot = c.efi_boot ?? (c.efi_firmware_code !== undefined || c.efi_firmware_vars !== undefined);
  if (c.boot_command !== undefined && c.boot_steps !== undefined) {
    errors.push(diagnosticAt(raw, ['boot_steps'], 'Conflicting arguments', 'boot_steps: use either boot_command or boot_steps, not both.'));
  }
  const floppy: FloppySpec = {
    files: (c.floppy_files ?? []).map(abs),
    dirs: (c.floppy_dirs ?? []).map(abs),
    content: c.floppy_content ?? {},
    label: c.floppy_label ?? 'packer',
  };
  if (!/^[A-Za-z0-9 _!#$%&'()@^`{}~-]{1,11}$/.test(floppy.label)) {
    errors.push(diagnosticAt(raw, ['floppy_label'], 'Invalid value', `floppy_label: "${floppy.label}" is not a FAT volume label (1 to 11 letters, digits, spaces or _-!#$%&'()@^\`{}~).`));
  }
  const communicator = c.communicator ?? 'ssh';
  const ssh = sshConfigFrom(c, raw, ctx.templateDir, communicator === 'ssh' ? errors : []);
  if (errors.length > 0) return { config: null, warnings: prepared.warnings, errors };
  const name = ctx.sourceFullName.split('.').slice(1).join('.') || 'qemu';
  return {
    config: {
      isoUrls: urls.map((u) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(u) ? u : abs(u))),
      // A relative checksum file is relative to the template, like every other path.
      isoChecksum: checksumWithAbsoluteFile(c.iso_checksum ?? 'none', abs),
      diskImage: c.disk_image ?? false,
      useBackingFile,
      // Packer: a backing file makes compaction pointless, so it is skipped.
      skipCompaction: (c.skip_compaction ?? false) || useBackingFile,
      diskSizeBytes,
      format,
      diskCompression: c.disk_compression ?? false,
      diskInterface: c.disk_interface ?? 'virtio',
      diskCache: c.disk_cache ?? 'writeback',
      diskDiscard: c.disk_discard ?? 'ignore',
      diskDetectZeroes: c.disk_detect_zeroes ?? 'off',
      cpuModel: c.cpu_model ?? null,
      netDevice: c.net_device ?? 'virtio-net',
      accelerator: c.accelerator ?? 'auto',
      cpus: c.cpus ?? 1,
      memoryMb: c.memory ?? 512,
      machineType: c.machine_type ?? (efiBoot ? 'q35' : 'pc'),
      qemuBinary: c.qemu_binary ?? 'qemu-system-x86_64',
      qemuArgs: c.qemuargs ?? [],
      efiBoot,
      efiFirmwareCode: abs(c.efi_firmware_code ?? DEFAULT_OVMF_CODE),
      efiFirmwareVars: abs(c.efi_firmware_vars ?? DEFAULT_OVMF_VARS),
      headless: c.headless ?? false,
      // Packer: "none" (or no display) means "let QEMU choose" only with use_default_display;
      // otherwise gtk.
      display: c.display !== undefined && c.display !== 'none' ? c.display : c.use_default_display === true ? null : 'gtk',
      floppy: floppy.files.length + floppy.dirs.length + Object.keys(floppy.content).length > 0 ? floppy : null,
      cdFiles: (c.cd_files ?? []).map(abs),
      cdContent: c.cd_content ?? {},
      cdLabel: c.cd_label ?? 'cidata',
      httpDirectory: c.http_directory === undefined ? null : abs(c.http_directory),
      httpContent: c.http_content ?? {},
      httpPortMin: portMin,
      httpPortMax: portMax,
      bootWaitMs: c.boot_wait ?? 10_000,
      bootCommand: c.boot_command ?? [],
      bootSteps: (c.boot_steps ?? []).map(([keys = '', description]) => ({ keys, description: description ?? null })),
      bootKeyIntervalMs: c.boot_key_interval ?? 20,
      shutdownCommand: c.shutdown_command ?? null,
      shutdownTimeoutMs: c.shutdown_timeout ?? 5 * 60_000,
      outputDirectory: abs(c.output_directory ?? `output-${name}`),
      vmName: c.vm_name ?? `packer-${name}`,
      communicator,
      ssh,
    },
    warnings: prepared.warnings,
    errors: [],
  };
}

function knownKeys(raw: RawConfig): RawConfig['values'] {
  return Object.fromEntries(Object.entries(raw.values).filter(([k]) => k in qemuSchema.shape));
}

function checksumWithAbsoluteFile(v: string, abs: (p: string) => string): string {
  if (!v.startsWith('file:') || /^file:(\/\/|[a-z][a-z0-9+.-]*:\/\/)/i.test(v)) return v;
  return `file:${abs(v.slice('file:'.length))}`;
}

/** "10G", "512M", "1T", "2048" (MiB, as Packer) -> bytes. */
export function parseSize(s: string): number | null {
  const m = /^(\d+)\s*([KMGT]?)(i?B)?$/i.exec(s.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toUpperCase();
  const mult = unit === 'K' ? 1024 : unit === 'G' ? 1024 ** 3 : unit === 'T' ? 1024 ** 4 : 1024 ** 2;
  return n * mult;
}
