// Refuses an existing output_directory (unless -force) before anything is created, and
// makes the build's private directory under the cache dir (disks can be large; /tmp is
// often a small tmpfs). Journaled, removed on every exit path with all it holds.
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BuildError } from '../../../src/core/errors.js';
import { JournaledDir } from '../../../src/core/journaled-dir.js';
import { FORCE } from '../../../src/core/orchestrator.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver } from '../driver.js';
import { QEMU_BUILD_DIR } from '../state.js';

export class StepBuildDir implements Step {
  readonly name = 'build-dir';
  private readonly dir = new JournaledDir();

  constructor(
    private readonly config: QemuConfig,
    private readonly driver: QemuDriver,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const out = this.config.outputDirectory;
    if (await exists(out)) {
      if (ctx.state.get(FORCE) !== true) {
        throw new BuildError(`output_directory ${out} already exists; remove it, choose another output_directory, or run with -force to replace it`, { code: 'E_OUTPUT_EXISTS' });
      }
      ctx.ui.say(`Deleting previous output directory ${out} (-force)`);
      await rm(out, { recursive: true, force: true });
    }
    // Short: the QMP socket lives here and unix socket paths are limited to 107 bytes.
    const name = `qemu-${ctx.build.runId.slice(0, 12)}-${ctx.build.sourceName.slice(0, 24)}`.replace(/[^\w.-]/g, '_');
    const dir = path.join(this.driver.cacheDir, 'tmp', name);
    ctx.state.set(QEMU_BUILD_DIR, await this.dir.create(ctx, dir, `qemu build dir for ${ctx.build.sourceFullName}`));
  }

  async cleanup(ctx: StepContext): Promise<void> {
    await this.dir.remove(ctx);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
