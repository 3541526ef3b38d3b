// The build's private directory (upper, work and merged dirs, runtime bundles), under the
// cache dir so uppers sit on the same filesystem as the layer store. Journaled, removed on
// every exit path.
import path from 'node:path';
import { JournaledDir } from '../../../src/core/journaled-dir.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import type { ContainerDriver } from '../driver.js';
import { BUILD_DIR } from '../state.js';

export class StepBuildDir implements Step {
  readonly name = 'build-dir';
  private readonly dir = new JournaledDir();

  constructor(private readonly driver: ContainerDriver) {}

  async run(ctx: StepContext): Promise<void> {
    const name = `${ctx.build.runId.slice(0, 12)}-${ctx.build.sourceName}`.replace(/[^\w.-]/g, '_');
    const dir = path.join(this.driver.cacheDir, 'tmp', name);
    ctx.state.set(BUILD_DIR, await this.dir.create(ctx, dir, `container build dir for ${ctx.build.sourceFullName}`));
  }

  async cleanup(ctx: StepContext): Promise<void> {
    await this.dir.remove(ctx);
  }
}
