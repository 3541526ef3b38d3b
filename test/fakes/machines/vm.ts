// One machine of a local cloud as a QEMU process: its disk, its cloud-init seed as a CD,
// user-mode networking with the guest's SSH port forwarded to an address of the host (the
// machine's address as the cloud reports it), a QMP socket to press its power button, and
// a serial log (the console output clouds show).
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { HostQemuDriver, type QemuProcess } from '../../../builders/qemu/driver.js';
import type { Qmp } from '../../../src/vm/qmp.js';

export interface VmSpec {
  name: string;
  /** Directory for the QMP socket and the serial log (created). */
  dir: string;
  disk: string;
  diskFormat: 'qcow2' | 'raw';
  seedIso: string | null;
  sshHost: string;
  sshPort: number;
  memoryMb: number;
  cpus: number;
  uefi: boolean;
  /** SMBIOS system fields, as clouds set them (the guest's DMI). */
  smbios: { manufacturer: string; product: string; serial: string };
}

const OVMF = '/usr/share/ovmf/OVMF.fd';
/** VMs still running; switched off if this process exits without stopping them (a killed test). */
const live = new Set<Vm>();
let exitHook = false;
const driver = new HostQemuDriver();
let accelerator: Promise<'kvm' | 'tcg'> | null = null;

/** KVM when a guest really runs under it here, TCG otherwise; probed once per process. */
export function qemuAccelerator(): Promise<'kvm' | 'tcg'> {
  accelerator ??= driver.kvmWorks('qemu-system-x86_64').then((ok) => (ok ? 'kvm' : 'tcg'));
  return accelerator;
}

export class Vm {
  private qmp: Qmp | null = null;

  private constructor(
    readonly spec: VmSpec,
    private readonly proc: QemuProcess,
  ) {}

  static async start(spec: VmSpec): Promise<Vm> {
    await mkdir(spec.dir, { recursive: true });
    const accel = await qemuAccelerator();
    const args = [
      '-name', spec.name,
      '-machine', 'type=pc',
      '-accel', accel,
      '-cpu', accel === 'kvm' ? 'host' : 'max',
      '-smp', String(spec.cpus),
      '-m', `${spec.memoryMb}M`,
      '-smbios', `type=1,manufacturer=${spec.smbios.manufacturer},product=${spec.smbios.product},serial=${spec.smbios.serial}`,
      '-drive', `file=${spec.disk},if=virtio,format=${spec.diskFormat},cache=writeback,discard=unmap`,
      ...(spec.seedIso !== null ? ['-drive', `file=${spec.seedIso},media=cdrom,readonly=on`] : []),
      ...(spec.uefi ? ['-bios', OVMF] : []),
      '-netdev', `user,id=n0,hostfwd=tcp:${spec.sshHost}:${spec.sshPort}-:22`,
      '-device', 'virtio-net-pci,netdev=n0',
      '-boot', 'c',
      '-qmp', `unix:${path.join(spec.dir, 'qmp.sock')},server=on,wait=off`,
      '-serial', `file:${path.join(spec.dir, 'console.log')}`,
      '-display', 'none',
    ];
    const proc = await driver.spawnQemu('qemu-system-x86_64', args, path.join(spec.dir, 'qemu.log'));
    const vm = new Vm(spec, proc);
    live.add(vm);
    void proc.exited.then(() => live.delete(vm));
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const v of live) v.kill();
      });
    }
    return vm;
  }

  get pid(): number {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc.running;
  }

  /** Resolves when QEMU exits, however it does (guest power-off, our kill). */
  get exited(): Promise<{ code: number | null; signal: string | null }> {
    return this.proc.exited;
  }

  /**
   * Presses the power button (ACPI) and waits for the guest to power off; after `graceMs`
   * the machine is switched off hard, as clouds do with a stop that hangs.
   */
  async powerOff(graceMs: number): Promise<'clean' | 'forced'> {
    if (!this.running) return 'clean';
    try {
      this.qmp ??= await driver.connectQmp(path.join(this.spec.dir, 'qmp.sock'), AbortSignal.timeout(15_000));
      await this.qmp.execute('system_powerdown');
    } catch {
      // No monitor (QEMU dying or wedged): the hard switch below does it.
    }
    const clean = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (clean) return 'clean';
    this.kill();
    await this.exited;
    return 'forced';
  }

  /** Pulls the plug (terminate, or the cloud itself shutting down). */
  kill(): void {
    this.qmp?.close();
    this.proc.kill('SIGKILL');
  }

  consoleOutput(): Promise<string> {
    return readFile(path.join(this.spec.dir, 'console.log'), 'utf8').catch(() => '');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/** A TCP port nothing listens on at 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return driver.freePort();
}
