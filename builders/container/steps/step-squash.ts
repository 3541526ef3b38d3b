// With `squash`, every provisioner wrote into one upper dir; this turns it into the single
// layer the build adds. Without squash it has nothing to do.
import type { Step, StepContext } from '../../../src/core/plugin.js';
import { LAYER_SESSION } from '../state.js';

export class StepSquash implements Step {
  readonly name = 'squash';

  async run(ctx: StepContext): Promise<void> {
    await ctx.state.get(LAYER_SESSION)?.finish();
  }
}
