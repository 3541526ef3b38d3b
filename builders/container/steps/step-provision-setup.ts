// Sets up per-provisioner layering for the core's provision step: the communicator and the
// hooks that mount a fresh upper before each provisioner and commit it after. Its cleanup
// tears down a provisioner that failed or was interrupted half-way (container, mount).
import type { Step, StepContext } from '../../../src/core/plugin.js';
import { COMMUNICATOR, PROVISION_HOOKS } from '../../../src/core/provision.js';
import type { ContainerBuildConfig } from '../config.js';
import type { ContainerDriver } from '../driver.js';
import { LayerSession, LayerStack } from '../layers.js';
import { BASE_IMAGE, BASE_LAYER_DIRS, BUILD_DIR, LAYER_SESSION, LAYER_STACK, SOURCE_DATE_EPOCH } from '../state.js';

export class StepProvisionSetup implements Step {
  readonly name = 'provision-setup';
  private session: LayerSession | null = null;

  constructor(
    private readonly config: ContainerBuildConfig,
    private readonly driver: ContainerDriver,
  ) {}

  run(ctx: StepContext): Promise<void> {
    const base = ctx.state.require(BASE_IMAGE);
    const stack = new LayerStack(ctx.state.require(BASE_LAYER_DIRS));
    const imageEnv = base.config.config?.Env ?? [];
    const env = mergeEnv(imageEnv, this.config.env);
    const user = this.config.user ?? (base.config.config?.User || undefined);
    const workdir = this.config.workdir ?? (base.config.config?.WorkingDir || undefined);
    this.session = new LayerSession({
      config: this.config,
      driver: this.driver,
      buildDir: ctx.state.require(BUILD_DIR),
      sourceDateEpoch: ctx.state.require(SOURCE_DATE_EPOCH),
      stack,
      env,
      user,
      workdir,
    });
    ctx.state.set(LAYER_STACK, stack);
    ctx.state.set(LAYER_SESSION, this.session);
    ctx.state.set(COMMUNICATOR, this.session.comm);
    ctx.state.set(PROVISION_HOOKS, this.session);
    return Promise.resolve();
  }

  async cleanup(ctx: StepContext): Promise<void> {
    if (!this.session) return;
    await this.session.teardown(ctx);
  }
}

/** Image env overridden by the builder's `env`, by variable name. */
export function mergeEnv(image: readonly string[], extra: readonly string[]): string[] {
  const m = new Map<string, string>();
  for (const kv of [...image, ...extra]) {
    const i = kv.indexOf('=');
    if (i > 0) m.set(kv.slice(0, i), kv.slice(i + 1));
  }
  return [...m].map(([k, v]) => `${k}=${v}`);
}
