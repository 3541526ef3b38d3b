// The step cache around a builder's per-provisioner hooks. Before each provisioner: compute
// its key; on a hit (local, then each --cache-from repository) hand the stored layer to the
// builder, which stacks it as the next lower, and return 'skip' so nothing runs. On a miss
// the builder's own hooks run the step, and after it the layer it committed is stored under
// the key (and pushed to --cache-to). A builder supplies a small target to do its part.
import { errorMessage } from '../core/errors.js';
import type { ProvisionHooks, ProvisionerRun, StepContext } from '../core/plugin.js';
import { formatDuration } from '../core/duration.js';
import type { CacheEntry, CachedLayer } from './entry.js';
import { producedChain, stepKey, type StepKey } from './key.js';
import { LocalStepCache } from './local.js';
import type { RegistryStepCache } from './registry.js';
import type { CacheSettings } from './settings.js';

export interface LayerCacheTarget {
  /** Stacks a cached layer (null: an empty step) as if the provisioner had just committed it. */
  applyCached(layer: CachedLayer | null, run: ProvisionerRun, ctx: StepContext): Promise<void>;
  /** The layer the builder committed for the provisioner that just ran; null when empty. */
  lastCommitted(): CachedLayer | null;
  /** History `created_by` of a step. */
  describe(run: ProvisionerRun): string;
}

export interface StepCacheOptions {
  settings: CacheSettings;
  /** Where the chain starts: baseChain(identity of the base image). */
  base: string;
  /** Builder settings that change what provisioners do (user, env, mounts, runtime...). */
  builder: unknown;
  templateDir: string;
  sensitiveValues: readonly string[];
  /** Set when this build cannot use the cache at all (e.g. squash); said once. */
  disabledReason: string | null;
}

/**
 * The cache's fields of a run: `cache` and `cache_key` from the provisioner block, and the
 * key this cache computed (the core reports it in the step-end event).
 */
export type CacheAwareRun = ProvisionerRun & { cacheEnabled?: boolean; cacheSalt?: string; cacheKey?: string };

interface Pending {
  key: StepKey | null;
  started: number;
}

export class StepCacheHooks implements ProvisionHooks {
  private chain: string;
  private pending: Pending | null = null;
  private readonly local: LocalStepCache;
  private remotes: Promise<{ from: RegistryStepCache[]; to: RegistryStepCache | null }> | null = null;
  private toFailed = false;
  private saidDisabled = false;

  constructor(
    private readonly inner: ProvisionHooks,
    private readonly target: LayerCacheTarget,
    private readonly o: StepCacheOptions,
    private readonly signal?: AbortSignal,
  ) {
    this.chain = o.base;
    this.local = new LocalStepCache(o.settings.cacheDir);
  }

  /** The registry client is loaded only by builds that use a shared cache. */
  private registries(): Promise<{ from: RegistryStepCache[]; to: RegistryStepCache | null }> {
    this.remotes ??= import('./registry.js').then(({ RegistryStepCache: R }) => {
      const reg = this.signal ? { signal: this.signal } : {};
      return { from: this.o.settings.from.map((r) => new R(r, reg)), to: this.o.settings.to === null ? null : new R(this.o.settings.to, reg) };
    });
    return this.remotes;
  }

  async before(run: CacheAwareRun, ctx: StepContext): Promise<'run' | 'skip'> {
    // The error-cleanup provisioner (index -1) runs after a failure: never cached.
    if (run.index < 0 || this.o.disabledReason !== null) {
      if (this.o.disabledReason !== null && !this.saidDisabled) {
        ctx.ui.message(`Step cache not used: ${this.o.disabledReason}`);
        this.saidDisabled = true;
      }
      this.pending = null;
      return this.runInner(run, ctx);
    }
    const key = run.cacheEnabled === false ? null : await this.keyFor(run, ctx);
    if (key !== null) {
      run.cacheKey = key.key;
      if (!this.o.settings.disabled) {
        const hit = await this.lookup(key.key, ctx);
        if (hit !== null) {
          await this.target.applyCached(hit.layer, run, ctx);
          await this.local.touch(hit);
          await this.pushQuietly(hit, ctx);
          this.chain = key.key;
          this.pending = null;
          return 'skip';
        }
      }
    }
    this.pending = { key, started: Date.now() };
    return this.runInner(run, ctx);
  }

  async after(run: ProvisionerRun, ctx: StepContext): Promise<void> {
    if (this.inner.after) await this.inner.after(run, ctx);
    const p = this.pending;
    this.pending = null;
    if (p === null) return;
    const took = formatDuration(Date.now() - p.started);
    const layer = this.target.lastCommitted();
    if (p.key === null) {
      // Not keyed (cache = false, or inputs unreadable): later steps chain on what it made.
      this.chain = producedChain(this.chain, layer?.diffId ?? null);
      ctx.ui.message(`${run.label}: ran in ${took} (not cached)`);
      return;
    }
    const now = new Date().toISOString();
    const entry: CacheEntry = {
      version: 1,
      key: p.key.key,
      provisioner: run.type,
      label: run.label,
      layer,
      history: { created_by: scrub(this.target.describe(run), this.o.sensitiveValues) },
      createdAt: now,
      lastUsed: now,
      material: p.key.material,
    };
    this.chain = p.key.key;
    try {
      await this.local.put(entry);
    } catch (e) {
      // The image is still right; only the next build will not find this step.
      ctx.ui.warn(`${run.label}: ran in ${took}; not stored in the step cache: ${errorMessage(e)}`);
      return;
    }
    ctx.ui.message(`${run.label}: ran in ${took}; cached as ${p.key.key.slice(0, 12)}`);
    await this.pushQuietly(entry, ctx);
  }

  private async runInner(run: ProvisionerRun, ctx: StepContext): Promise<'run' | 'skip'> {
    const r = this.inner.before ? await this.inner.before(run, ctx) : 'run';
    // A builder that skips on its own gives no layer we could key later steps on.
    if (r === 'skip') this.chain = producedChain(this.chain, `skipped:${run.index}`);
    return r;
  }

  /**
   * null when the step must run: a provisioner without cacheInputs may act outside the image
   * (shell-local, breakpoint), cacheInputs returning null says so for one configuration (a
   * file download to the host), and inputs that cannot be read yet are made by an earlier step.
   */
  private async keyFor(run: CacheAwareRun, ctx: StepContext): Promise<StepKey | null> {
    if (!run.plugin.cacheInputs) return null;
    let inputs: unknown;
    try {
      inputs = await run.plugin.cacheInputs(run.config, this.o.templateDir);
    } catch (e) {
      ctx.ui.message(`${run.label}: not cached: its inputs cannot be read before it runs (${errorMessage(e)})`);
      return null;
    }
    if (inputs === null) return null;
    return stepKey(
      { parent: this.chain, builder: this.o.builder, type: run.type, config: run.config, inputs, salt: run.cacheSalt ?? null },
      { templateDir: this.o.templateDir, sensitiveValues: this.o.sensitiveValues },
    );
  }

  private async lookup(key: string, ctx: StepContext): Promise<CacheEntry | null> {
    const hit = await this.local.get(key);
    if (hit !== null) return hit;
    if (this.o.settings.from.length === 0) return null;
    for (const remote of (await this.registries()).from) {
      try {
        const e = await remote.fetch(key, this.local);
        if (e !== null) return e;
      } catch (e) {
        // A shared cache that is down slows the build; it must not fail it.
        ctx.ui.warn(`step cache ${remote.repoName}: lookup of ${key.slice(0, 12)} failed: ${errorMessage(e)}`);
      }
    }
    return null;
  }

  private async pushQuietly(entry: CacheEntry, ctx: StepContext): Promise<void> {
    if (this.o.settings.to === null || this.toFailed) return;
    try {
      const { to } = await this.registries();
      await to?.push(entry, this.local);
    } catch (e) {
      this.toFailed = true;
      ctx.ui.warn(`step cache ${this.o.settings.to}: push failed, later entries are not pushed: ${errorMessage(e)}`);
    }
  }
}

/** History text goes into the entry (and a shared registry): no sensitive value in it. */
function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x !== '').sort((a, b) => b.length - a.length)) out = out.split(s).join('<sensitive>');
  return out;
}
