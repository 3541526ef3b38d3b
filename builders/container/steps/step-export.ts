// Writes the image to every output (OCI layout, archives, registry) and, for the docker
// builder's export_path, a flat tar of the final filesystem.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { JournalEntry } from '../../../src/core/journal-types.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import type { ContainerBuildConfig } from '../config.js';
import type { ContainerDriver } from '../driver.js';
import { BASE_IMAGE, BUILD_DIR, BUILT_IMAGE, FINAL_CONFIG, LAYER_STACK, SOURCE_DATE_EPOCH } from '../state.js';

export class StepExport implements Step {
  readonly name = 'export';
  private mountEntry: JournalEntry | null = null;
  private mountTarget: string | null = null;

  constructor(
    private readonly config: ContainerBuildConfig,
    private readonly driver: ContainerDriver,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const epoch = ctx.state.require(SOURCE_DATE_EPOCH);
    const stack = ctx.state.require(LAYER_STACK);
    if (this.config.exportPath !== null) await this.exportTree(ctx, this.config.exportPath, epoch);
    if (this.config.discard || this.config.outputs.length === 0) {
      if (this.config.discard) ctx.ui.say('Discarding the image (discard = true)');
      return;
    }
    const base = ctx.state.require(BASE_IMAGE);
    const layers = [...base.layers, ...stack.entries.flatMap((e) => (e.layer ? [e.layer.descriptor] : []))];
    ctx.ui.say(`Writing image (${layers.length} layers) to ${this.config.outputs.map((o) => ('path' in o ? o.path : o.ref)).join(', ')}`);
    const res = await this.driver.exportImage({ config: ctx.state.require(FINAL_CONFIG), layers, annotations: this.config.annotations }, this.config.outputs, {
      sourceDateEpoch: epoch,
      signal: ctx.signal,
      login: this.config.login,
    });
    ctx.state.set(BUILT_IMAGE, res);
    ctx.ui.message(`Image manifest ${res.manifestDigest}`);
  }

  async cleanup(ctx: StepContext): Promise<void> {
    if (this.mountTarget === null) return;
    await this.driver.unmount(this.mountTarget);
    this.mountTarget = null;
    if (this.mountEntry) await ctx.journal.strike(this.mountEntry);
    this.mountEntry = null;
  }

  /** Read-only overlay of the whole stack, written as one tar (docker export). */
  private async exportTree(ctx: StepContext, dest: string, epoch: number): Promise<void> {
    ctx.ui.say(`Exporting the filesystem to ${dest}`);
    const stack = ctx.state.require(LAYER_STACK);
    const dir = path.join(ctx.state.require(BUILD_DIR), 'export');
    const empty = path.join(dir, 'empty');
    const target = path.join(dir, 'merged');
    await mkdir(empty, { recursive: true });
    await mkdir(target, { recursive: true });
    // Two lowers and no upper: a read-only overlay, whiteouts already applied.
    const lowers = [...stack.lowers, empty];
    this.mountEntry = await ctx.journal.record('mount', { target }, 'overlay for export_path');
    this.mountTarget = target;
    await this.driver.mountOverlay({ lowerdirs: lowers.length >= 2 ? lowers : [...lowers, empty], upper: '', work: '', target });
    await this.driver.exportTree(target, dest, epoch);
    await this.cleanup(ctx);
    await rm(dir, { recursive: true, force: true });
  }
}
