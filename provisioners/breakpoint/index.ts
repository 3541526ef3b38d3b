// The breakpoint provisioner (Packer's): pauses the build until the user presses enter, so
// the machine can be inspected mid-build. With nobody to answer (no terminal, CI) it says
// so and continues rather than hanging a pipeline.
import { NonInteractiveError } from '../../src/core/errors.js';
import type { Provisioner } from '../../src/core/plugin.js';
import { abortable } from '../../src/core/runner.js';
import type { BreakpointConfig } from './config.js';
import { breakpointDefinition } from './definition.js';

export const breakpointProvisioner: Provisioner<BreakpointConfig> = {
  ...breakpointDefinition,

  async provision(ctx, config) {
    if (config.disable) {
      ctx.ui.say('Breakpoint provisioner disabled, continuing...');
      return;
    }
    const note = config.note ? ` with note "${config.note}"` : '';
    if (process.env['CI'] === 'true') {
      ctx.ui.warn(`Breakpoint${note} skipped: CI=true, nobody can resume it`);
      return;
    }
    try {
      await abortable(ctx.ui.ask(`Pausing at breakpoint provisioner${note}. Press enter to continue.`), ctx.signal);
    } catch (e) {
      if (!(e instanceof NonInteractiveError)) throw e;
      ctx.ui.warn(`Breakpoint${note} skipped: not running interactively`);
    }
  },
};
