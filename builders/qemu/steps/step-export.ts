// Writes the result into output_directory: the disk converted to `format` (which also
// drops unused blocks; -c compresses qcow2 with disk_compression), or moved as it is with
// skip_compaction/use_backing_file, plus the EFI variables when booting UEFI. The
// directory is journaled until complete, so a failed or interrupted export leaves nothing.
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { JournalEntry } from '../../../src/core/journal-types.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver } from '../driver.js';
import { QEMU_DISK, QEMU_EFI_VARS, QEMU_OUTPUT } from '../state.js';

export class StepExport implements Step {
  readonly name = 'export';
  private entry: JournalEntry | null = null;

  constructor(
    private readonly config: QemuConfig,
    private readonly driver: QemuDriver,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const c = this.config;
    const out = c.outputDirectory;
    this.entry = await ctx.journal.record('path', { path: out }, `qemu output directory of ${ctx.build.sourceFullName} (incomplete)`);
    await mkdir(out, { recursive: true });
    const disk = ctx.state.require(QEMU_DISK);
    const target = path.join(out, c.vmName);
    if (c.skipCompaction) {
      ctx.ui.say(`Moving the disk to ${target}`);
      await rename(disk, target);
    } else {
      ctx.ui.say(`Converting the disk to ${c.format}${c.diskCompression && c.format === 'qcow2' ? ' (compressed)' : ''}: ${target}`);
      const args = ['convert', '-f', c.format, '-O', c.format];
      if (c.diskCompression && c.format === 'qcow2') args.push('-c');
      await this.driver.qemuImg([...args, disk, target], ctx.signal);
    }
    const files = [target];
    const vars = ctx.state.get(QEMU_EFI_VARS);
    if (vars !== undefined) {
      const dst = path.join(out, 'efivars.fd');
      await this.driver.copyFile(vars, dst);
      files.push(dst);
    }
    ctx.state.set(QEMU_OUTPUT, { disk: target, files });
    await ctx.journal.strike(this.entry);
    this.entry = null;
  }

  async cleanup(ctx: StepContext): Promise<void> {
    // Only an export that did not finish is removed; a finished one is the build's result.
    if (this.entry === null) return;
    await rm(this.config.outputDirectory, { recursive: true, force: true });
    await ctx.journal.strike(this.entry);
    this.entry = null;
  }
}
