// UEFI keeps its variables (boot order, Secure Boot keys) in a writable flash file: each
// build gets its own copy of efi_firmware_vars, so the system template is never changed
// and the result can ship beside the disk.
import path from 'node:path';
import { BuildError, errorMessage } from '../../../src/core/errors.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver } from '../driver.js';
import { QEMU_BUILD_DIR, QEMU_EFI_VARS } from '../state.js';

export class StepEfiVars implements Step {
  readonly name = 'efi-vars';

  constructor(
    private readonly config: QemuConfig,
    private readonly driver: QemuDriver,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    if (!this.config.efiBoot) return;
    const dst = path.join(ctx.state.require(QEMU_BUILD_DIR), 'efivars.fd');
    try {
      await this.driver.copyFile(this.config.efiFirmwareVars, dst);
    } catch (e) {
      throw new BuildError(`efi_firmware_vars ${this.config.efiFirmwareVars}: ${errorMessage(e)}; install OVMF (apt-get install ovmf) or set efi_firmware_code/efi_firmware_vars`, { cause: e });
    }
    ctx.state.set(QEMU_EFI_VARS, dst);
  }
}
