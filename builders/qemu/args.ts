// The QEMU command line. Pure, so tests pin it. The guest gets user-mode networking with
// exactly one host exposure, the SSH port forwarded from 127.0.0.1; QMP is a unix socket
// in the build directory; the serial console goes to a log file. `qemuargs`: an entry for
// a flag QEMU takes once (-m, -smp, -cpu, -machine...) replaces the default; repeatable
// flags (-device, -drive, -netdev...) are appended. Packer drops every default -device
// when the user gives one, which silently removes the NIC that SSH needs; we do not.
import type { QemuConfig } from './config.js';

/** Flags QEMU honours once (the last wins): a user value replaces ours. */
const SINGLE = new Set(['-name', '-machine', '-accel', '-cpu', '-smp', '-m', '-boot', '-display', '-serial', '-qmp', '-vga']);

export interface QemuArgsInput {
  config: QemuConfig;
  accelerator: 'kvm' | 'tcg';
  disk: string;
  /** The installer ISO when not booting a disk image. */
  installIso: string | null;
  cdIso: string | null;
  efiVars: string | null;
  sshPort: number;
  qmpSocket: string;
  serialLog: string;
  /** No display available (no $DISPLAY): forced headless. */
  noDisplay: boolean;
  /** The FAT image made from floppy_files/floppy_dirs/floppy_content. */
  floppy: string | null;
}

export function qemuArgs(i: QemuArgsInput): string[] {
  const c = i.config;
  const defaults: string[][] = [
    ['-name', c.vmName],
    ['-machine', `type=${c.machineType}`],
    ['-accel', i.accelerator],
    ['-cpu', cpuModel(c.cpuModel, i.accelerator)],
    ['-smp', String(c.cpus)],
    ['-m', `${c.memoryMb}M`],
  ];
  defaults.push(...diskArgs(c, i.disk));
  if (i.installIso !== null) defaults.push(['-drive', `file=${i.installIso},media=cdrom,readonly=on`]);
  if (i.cdIso !== null) defaults.push(['-drive', `file=${i.cdIso},media=cdrom,readonly=on`]);
  if (c.efiBoot) {
    defaults.push(['-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${c.efiFirmwareCode}`]);
    if (i.efiVars !== null) defaults.push(['-drive', `if=pflash,format=raw,unit=1,file=${i.efiVars}`]);
  }
  if (i.floppy !== null) defaults.push(['-drive', `file=${i.floppy},if=floppy,index=0,format=raw`]);
  defaults.push(['-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${i.sshPort}-:22`]);
  defaults.push(['-device', `${c.netDevice},netdev=n0`]);
  defaults.push(['-boot', i.installIso !== null ? 'once=d' : 'c']);
  defaults.push(['-qmp', `unix:${i.qmpSocket},server=on,wait=off`]);
  defaults.push(['-serial', `file:${i.serialLog}`]);
  if (c.headless || i.noDisplay) defaults.push(['-display', 'none']);
  else if (c.display !== null) defaults.push(['-display', c.display]);

  const overridden = new Set(c.qemuArgs.map((a) => a[0]).filter((f): f is string => f !== undefined && SINGLE.has(f)));
  const kept = defaults.filter((d) => !overridden.has(d[0] ?? ''));
  return [...kept, ...c.qemuArgs].flat();
}

/** cpu_model, else the best the accelerator offers. "host" needs KVM: under TCG it is "max". */
export function cpuModel(configured: string | null, accelerator: 'kvm' | 'tcg'): string {
  if (configured === null) return accelerator === 'kvm' ? 'host' : 'max';
  return configured === 'host' && accelerator === 'tcg' ? 'max' : configured;
}

/**
 * The boot disk on Packer's disk_interface, with disk_cache, disk_discard and
 * disk_detect_zeroes ("off" is left out, as Packer does, for QEMUs without the option).
 */
function diskArgs(c: QemuConfig, disk: string): string[][] {
  const opts = `format=${c.format},cache=${c.diskCache},discard=${c.diskDiscard}${c.diskDetectZeroes === 'off' ? '' : `,detect-zeroes=${c.diskDetectZeroes}`}`;
  const detached = ['-drive', `file=${disk},if=none,id=drive0,${opts}`];
  switch (c.diskInterface) {
    case 'virtio':
    case 'ide':
      return [['-drive', `file=${disk},if=${c.diskInterface},${opts}`]];
    case 'scsi':
    case 'virtio-scsi':
      return [['-device', 'virtio-scsi-pci,id=scsi0'], detached, ['-device', 'scsi-hd,bus=scsi0.0,drive=drive0']];
    case 'sata':
      return [['-device', 'ahci,id=ahci0'], detached, ['-device', 'ide-hd,bus=ahci0.0,drive=drive0']];
    case 'nvme':
      return [detached, ['-device', 'nvme,serial=imgbuild0,drive=drive0']];
  }
}
