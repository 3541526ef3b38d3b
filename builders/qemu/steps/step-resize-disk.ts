// disk_size on a disk image grows it (cloud images are small; the guest's growpart or
// cloud-init fills the space). Shrinking would destroy data, so a smaller size is an error.
import { BuildError } from '../../../src/core/errors.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver } from '../driver.js';
import { QEMU_DISK } from '../state.js';
import { virtualSize } from './step-create-disk.js';

export class StepResizeDisk implements Step {
  readonly name = 'resize-disk';

  constructor(
    private readonly config: QemuConfig,
    private readonly driver: QemuDriver,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const want = this.config.diskSizeBytes;
    if (!this.config.diskImage || want === null) return;
    const disk = ctx.state.require(QEMU_DISK);
    const have = await virtualSize(this.driver, disk, ctx.signal);
    if (want === have) return;
    if (want < have) {
      throw new BuildError(`disk_size: ${want} bytes is smaller than the image's ${have} bytes; imgbuild only grows disks, so raise disk_size or remove it`, { code: 'E_DISK_SIZE' });
    }
    ctx.ui.say(`Resizing the disk to ${want} bytes`);
    await this.driver.qemuImg(['resize', '-f', this.config.format, disk, String(want)], ctx.signal);
  }
}
