// Extracts each base layer once into the shared layer store; the directories are the
// overlay's bottom lowers for every provisioner.
import { BuildError } from '../../../src/core/errors.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import type { ContainerDriver } from '../driver.js';
import { BASE_IMAGE, BASE_LAYER_DIRS } from '../state.js';

export class StepExtractBase implements Step {
  readonly name = 'extract-base';
  constructor(private readonly driver: ContainerDriver) {}

  async run(ctx: StepContext): Promise<void> {
    const base = ctx.state.require(BASE_IMAGE);
    const diffIds = base.config.rootfs.diff_ids;
    if (diffIds.length !== base.layers.length) {
      throw new BuildError(`base image ${base.name}: ${base.layers.length} layers but ${diffIds.length} diff_ids in its config; the image is malformed`);
    }
    const dirs: string[] = [];
    for (const [i, layer] of base.layers.entries()) {
      ctx.signal.throwIfAborted();
      dirs.push(await this.driver.extractLayer(layer, diffIds[i] as string));
    }
    ctx.state.set(BASE_LAYER_DIRS, dirs);
  }
}
