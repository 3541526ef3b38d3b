// A test builder that creates real, journaled resources: one directory per declared step,
// recorded in the resource journal before it is created and struck when its cleanup
// removes it. Each cleanup appends its step name to `cleanup-order.log`, so e2e tests can
// see the order the runner unwound the steps in. It stands in for builders whose resources
// need root and minutes (containers, VMs): the null builder journals nothing.
// Loaded into the real CLI process with `node --import <register-marker-builder.js>`.
import { appendFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { NoneCommunicator } from '../../src/core/none-communicator.js';
import { prepareConfig } from '../../src/core/config.js';
import type { JournalEntry } from '../../src/core/journal-types.js';
import { PROVISION_STEP, type Builder, type BuilderStep } from '../../src/core/plugin.js';
import { COMMUNICATOR, GENERATED_DATA } from '../../src/core/build-state.js';

const schema = z
  .object({
    dir: z.string(),
    steps: z.array(z.string()).min(1),
    /** Makes each cleanup slow, to interrupt imgbuild while it cleans up. */
    cleanup_delay_ms: z.number().int().nonnegative().optional(),
  })
  .strict();
type MarkerConfig = z.output<typeof schema>;

export const markerBuilder: Builder<MarkerConfig> = {
  kind: 'builder',
  name: 'marker',
  configSchema: schema,
  prepare: (raw) => prepareConfig(schema, raw),
  communicatorType: () => 'none',
  steps(config): BuilderStep[] {
    const steps: BuilderStep[] = config.steps.map((name) => {
      const target = path.join(config.dir, name);
      let entry: JournalEntry | null = null;
      return {
        name: `marker ${name}`,
        async run(ctx) {
          entry = await ctx.journal.record('path', { path: target }, `marker directory ${target}`);
          await mkdir(target, { recursive: true });
          ctx.ui.say(`created ${target}`);
        },
        async cleanup(ctx) {
          if (entry === null) return;
          if (config.cleanup_delay_ms !== undefined) await new Promise((r) => setTimeout(r, config.cleanup_delay_ms));
          await rm(target, { recursive: true, force: true });
          await appendFile(path.join(config.dir, 'cleanup-order.log'), `${name}\n`);
          await ctx.journal.strike(entry);
        },
      };
    });
    steps.push({
      name: 'connect',
      run(ctx) {
        ctx.state.set(GENERATED_DATA, { ...(ctx.state.get(GENERATED_DATA) ?? {}), ID: 'marker' });
        ctx.state.set(COMMUNICATOR, new NoneCommunicator());
        return Promise.resolve();
      },
    });
    steps.push(PROVISION_STEP);
    return steps;
  },
  artifact: () => null,
};
