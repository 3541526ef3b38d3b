// Resolves the base image (pull, import, bootstrap or scratch) into the cache's blob store.
import type { Step, StepContext } from '../../../src/core/plugin.js';
import type { ContainerBuildConfig } from '../config.js';
import type { ContainerDriver } from '../driver.js';
import { BASE_IMAGE, SOURCE_DATE_EPOCH } from '../state.js';

export class StepResolveBase implements Step {
  readonly name = 'resolve-base';
  constructor(
    private readonly config: ContainerBuildConfig,
    private readonly driver: ContainerDriver,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const b = this.config.base;
    const what = b.kind === 'registry' ? b.ref : b.kind === 'bootstrap' ? `bootstrap ${b.options.suite} (${b.options.variant ?? 'minbase'})` : b.kind === 'scratch' ? 'scratch' : `${b.kind}:${b.path}`;
    ctx.ui.say(`Resolving base image ${what}...`);
    const base = await this.driver.resolveBase(b, {
      pull: this.config.pull,
      platform: this.config.platform,
      sourceDateEpoch: ctx.state.require(SOURCE_DATE_EPOCH),
      signal: ctx.signal,
      login: this.config.login,
      onProgress: (line) => ctx.ui.message(line),
    });
    ctx.ui.message(`Base image: ${base.layers.length} layer(s)`);
    ctx.state.set(BASE_IMAGE, base);
  }
}
