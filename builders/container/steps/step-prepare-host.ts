// Fails fast, before anything is pulled or created, when the host cannot run the build:
// missing runtime binary, no overlayfs. Also fixes SOURCE_DATE_EPOCH for the whole build.
import { BuildError } from '../../../src/core/errors.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import { assertOverlaySupported } from '../../../src/runtime/overlay.js';
import type { ContainerBuildConfig } from '../config.js';
import type { ContainerDriver } from '../driver.js';
import { SOURCE_DATE_EPOCH } from '../state.js';

export class StepPrepareHost implements Step {
  readonly name = 'prepare-host';
  constructor(
    private readonly config: ContainerBuildConfig,
    private readonly driver: ContainerDriver,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    ctx.state.set(SOURCE_DATE_EPOCH, sourceDateEpoch(this.config, this.env));
    await this.driver.runtime(this.config.runtime).check();
    await assertOverlaySupported();
  }
}

/** `source_date_epoch`, else $SOURCE_DATE_EPOCH, else 0: never the clock. */
export function sourceDateEpoch(config: ContainerBuildConfig, env: NodeJS.ProcessEnv): number {
  if (config.sourceDateEpoch !== null) return config.sourceDateEpoch;
  const raw = env['SOURCE_DATE_EPOCH'];
  if (raw === undefined || raw === '') return 0;
  if (!/^\d+$/.test(raw)) throw new BuildError(`SOURCE_DATE_EPOCH=${raw}: not a number of seconds; unset it or set e.g. 1700000000`);
  return Number(raw);
}
