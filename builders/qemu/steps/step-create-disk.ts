// The disk the VM boots and the build writes: a qcow2 overlay on the source image
// (use_backing_file), a converted copy of it (disk_image), or a fresh empty disk for an
// ISO install. Always in the build dir, so the source is never modified.
import path from 'node:path';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver } from '../driver.js';
import { QEMU_BUILD_DIR, QEMU_DISK, QEMU_SOURCE } from '../state.js';

const DEFAULT_DISK_BYTES = 40 * 1024 ** 3;

export class StepCreateDisk implements Step {
  readonly name = 'create-disk';

  constructor(
    private readonly config: QemuConfig,
    private readonly driver: QemuDriver,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const c = this.config;
    const disk = path.join(ctx.state.require(QEMU_BUILD_DIR), `disk.${c.format}`);
    const source = ctx.state.require(QEMU_SOURCE);
    if (!c.diskImage) {
      ctx.ui.say(`Creating a ${c.format} disk of ${c.diskSizeBytes ?? DEFAULT_DISK_BYTES} bytes`);
      await this.driver.qemuImg(['create', '-f', c.format, disk, String(c.diskSizeBytes ?? DEFAULT_DISK_BYTES)], ctx.signal);
    } else {
      const sourceFormat = await imageFormat(this.driver, source, ctx.signal);
      if (c.useBackingFile) {
        ctx.ui.say(`Creating a qcow2 disk backed by ${source}`);
        await this.driver.qemuImg(['create', '-f', 'qcow2', '-b', path.resolve(source), '-F', sourceFormat, disk], ctx.signal);
      } else {
        ctx.ui.say(`Copying ${source} (${sourceFormat}) to a ${c.format} disk`);
        await this.driver.qemuImg(['convert', '-f', sourceFormat, '-O', c.format, source, disk], ctx.signal);
      }
    }
    ctx.state.set(QEMU_DISK, disk);
  }
  // No cleanup: the disk lives in the build dir, removed with it.
}

/** The format qemu-img detects for a file ("raw", "qcow2", "vmdk"...). */
export async function imageFormat(driver: QemuDriver, file: string, signal: AbortSignal): Promise<string> {
  const info = JSON.parse(await driver.qemuImg(['info', '--output=json', file], signal)) as { format?: string };
  return info.format ?? 'raw';
}

export async function virtualSize(driver: QemuDriver, file: string, signal: AbortSignal): Promise<number> {
  const info = JSON.parse(await driver.qemuImg(['info', '--output=json', file], signal)) as { 'virtual-size'?: number };
  return info['virtual-size'] ?? 0;
}
