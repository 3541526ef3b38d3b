// The build's private directory (upper, work and merged dirs, runtime bundles), under the
// cache dir so uppers sit on the same filesystem as the layer store. Journaled, removed on
// every exit path.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { JournalEntry } from '../../../src/core/journal-types.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import type { ContainerDriver } from '../driver.js';
import { BUILD_DIR } from '../state.js';

export class StepBuildDir implements Step {
  readonly name = 'build-dir';
  private entry: JournalEntry | null = null;
  private dir: string | null = null;

  constructor(private readonly driver: ContainerDriver) {}

  async run(ctx: StepContext): Promise<void> {
    const name = `${ctx.build.runId.slice(0, 12)}-${ctx.build.sourceName}`.replace(/[^\w.-]/g, '_');
    const dir = path.join(this.driver.cacheDir, 'tmp', name);
    this.entry = await ctx.journal.record('path', { path: dir }, `container build dir for ${ctx.build.sourceFullName}`);
    this.dir = dir;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    ctx.state.set(BUILD_DIR, dir);
  }

  async cleanup(ctx: StepContext): Promise<void> {
    if (this.dir === null) return;
    await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
    if (this.entry) await ctx.journal.strike(this.entry);
    this.entry = null;
  }
}
