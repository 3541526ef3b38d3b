// The minicloud test builder: what a cloud builder does with the journal, on the minicloud
// fake. A temporary firewall, then a machine that uses it (created with a client token and
// the run-id tag), provisioners with no communicator, then both removed in reverse order.
// Each create is journaled before the call and completed with the id from the answer, so a
// build killed in between leaves an entry `imgbuild cleanup` resolves by token or tag.
// Loaded into the real CLI process with `node --import <register-minicloud.js>`.
import { z } from 'zod';
import { prepareConfig } from '../../../src/core/config.js';
import { BuildError } from '../../../src/core/errors.js';
import { JournaledResource } from '../../../src/core/journaled-resource.js';
import { PROVISION_STEP, type Builder, type BuilderStep, type Step, type StepContext } from '../../../src/core/plugin.js';
import type { Firewall, Machine } from './client.js';
import { FIREWALL_KIND, MACHINE_KIND, RUN_ID_TAG, firewallKind, machineKind, minicloudClient } from './kinds.js';

const schema = z.object({ endpoint: z.string().url(), region: z.string(), name: z.string() }).strict();
type MinicloudConfig = z.output<typeof schema>;

class StepFirewall implements Step {
  readonly name = 'create-firewall';
  readonly resource = new JournaledResource<Firewall>(firewallKind);
  firewall: Firewall | null = null;

  constructor(private readonly config: MinicloudConfig) {}

  async run(ctx: StepContext): Promise<void> {
    const { endpoint, region } = this.config;
    const name = `${this.config.name}-fw-${ctx.build.runId.slice(0, 8)}`;
    ctx.ui.say(`Creating temporary firewall ${name}...`);
    this.firewall = await this.resource.create(
      ctx,
      { handle: { endpoint, region, name }, description: `temporary firewall ${name}`, answer: (f) => ({ id: f.id }) },
      () => minicloudClient({ endpoint, region }).createFirewall(name, { [RUN_ID_TAG]: ctx.build.runId }, ctx.signal),
    );
    ctx.ui.say(`Created firewall ${this.firewall.id}`);
  }

  async cleanup(ctx: StepContext): Promise<void> {
    const out = await this.resource.remove(ctx);
    if (out) ctx.ui.say(`Deleted temporary firewall ${out.removed.join(', ')}`);
  }
}

class StepMachine implements Step {
  readonly name = 'create-machine';
  private readonly resource = new JournaledResource<Machine>(machineKind);

  constructor(
    private readonly config: MinicloudConfig,
    private readonly firewall: StepFirewall,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const { endpoint, region, name } = this.config;
    const firewall = this.firewall.firewall;
    if (!firewall) throw new BuildError('internal: the firewall step did not run', { source: 'internal' });
    const clientToken = `${ctx.build.runId}-machine`;
    ctx.ui.say(`Creating machine ${name} (client token ${clientToken})...`);
    const machine = await this.resource.create(
      ctx,
      { handle: { endpoint, region, name, clientToken }, description: `machine ${name}`, dependsOn: [this.firewall.resource], answer: (m) => ({ id: m.id }) },
      () => minicloudClient({ endpoint, region }).createMachine({ name, firewallId: firewall.id, clientToken, tags: { [RUN_ID_TAG]: ctx.build.runId } }, ctx.signal),
    );
    ctx.ui.say(`Machine ${machine.id} is ${machine.state}`);
  }

  async cleanup(ctx: StepContext): Promise<void> {
    const out = await this.resource.remove(ctx);
    if (out) ctx.ui.say(`Terminated machine ${out.removed.join(', ')}`);
  }
}

export const minicloudBuilder: Builder<MinicloudConfig> = {
  kind: 'builder',
  name: 'minicloud',
  configSchema: schema,
  prepare: (raw) => prepareConfig(schema, raw),
  communicatorType: () => 'none',
  steps(config): BuilderStep[] {
    const firewall = new StepFirewall(config);
    return [firewall, new StepMachine(config, firewall), PROVISION_STEP];
  },
  artifact: () => null,
  resourceKinds: { names: [MACHINE_KIND, FIREWALL_KIND], load: () => import('./kinds.js').then((m) => m.minicloudKinds) },
};
