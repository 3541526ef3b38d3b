// Sets up per-provisioner layering for the core's provision step: the communicator and the
// hooks that mount a fresh upper before each provisioner and commit it after, wrapped in the
// step cache (src/cache) so unchanged provisioners are not run again. Its cleanup
// tears down a provisioner that failed or was interrupted half-way (container, mount).
import { baseChain } from '../../../src/cache/key.js';
import { StepCacheHooks } from '../../../src/cache/hooks.js';
import { cacheSettings } from '../../../src/cache/settings.js';
import type { ProvisionHooks, Step, StepContext } from '../../../src/core/plugin.js';
import { COMMUNICATOR, PROVISION_HOOKS } from '../../../src/core/build-state.js';
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
    ctx.state.set(PROVISION_HOOKS, this.withStepCache(this.session, ctx, { env, user, workdir }));
    return Promise.resolve();
  }

  /**
   * Wraps the layer hooks in the step cache: a provisioner whose key (base, builder
   * settings, config, input files) has a stored layer is skipped and that layer stacked.
   */
  private withStepCache(session: LayerSession, ctx: StepContext, eff: { env: string[]; user: string | undefined; workdir: string | undefined }): ProvisionHooks {
    const c = this.config;
    const base = ctx.state.require(BASE_IMAGE);
    const epoch = ctx.state.require(SOURCE_DATE_EPOCH);
    const settings = { ...cacheSettings(), cacheDir: this.driver.cacheDir };
    return new StepCacheHooks(
      session,
      session,
      {
        settings,
        base: baseChain({ config: base.config, layers: base.layers.map((l) => l.digest) }),
        builder: {
          runtime: c.runtime,
          network: c.network,
          user: eff.user ?? null,
          workdir: eff.workdir ?? null,
          env: eff.env,
          mounts: c.mounts,
          privileged: c.privileged,
          capAdd: c.capAdd,
          fixUploadOwner: c.fixUploadOwner,
          exclude: c.exclude,
          compression: c.compression,
          sourceDateEpoch: epoch,
          // Provisioners see these (PACKER_BUILD_NAME, PACKER_BUILDER_TYPE): part of their environment.
          buildName: ctx.build.sourceName,
          builderType: ctx.build.sourceType,
        },
        templateDir: ctx.build.templateDir,
        sensitiveValues: ctx.build.sensitiveValues ?? [],
        disabledReason: c.squash ? 'squash = true makes one layer for all provisioners' : null,
      },
      ctx.signal,
    );
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
