// Typed state shared by the qemu builder's steps.
import { StateKey } from '../../src/core/state.js';
import type { Qmp } from '../../src/vm/qmp.js';
import type { QemuProcess } from './driver.js';

/** The build's private directory: disks, seeds, sockets, logs. Removed at the end. */
export const QEMU_BUILD_DIR = new StateKey<string>('qemu.build-dir');
export const QEMU_ACCELERATOR = new StateKey<'kvm' | 'tcg'>('qemu.accelerator');
/** The verified ISO or source disk image. */
export const QEMU_SOURCE = new StateKey<string>('qemu.source');
/** The disk the VM boots from, in the build dir. */
export const QEMU_DISK = new StateKey<string>('qemu.disk');
export const QEMU_CD = new StateKey<string>('qemu.cd');
export const QEMU_FLOPPY = new StateKey<string>('qemu.floppy');
export const QEMU_HTTP_PORT = new StateKey<number>('qemu.http-port');
/** The per-build copy of the OVMF variables file. */
export const QEMU_EFI_VARS = new StateKey<string>('qemu.efi-vars');

export interface RunningVm {
  process: QemuProcess;
  qmp: Qmp;
  /** Host port on 127.0.0.1 forwarded to the guest's port 22. */
  sshPort: number;
  serialLog: string;
  qemuLog: string;
}
export const QEMU_VM = new StateKey<RunningVm>('qemu.vm');

export interface QemuOutput {
  disk: string;
  files: string[];
}
export const QEMU_OUTPUT = new StateKey<QemuOutput>('qemu.output');
