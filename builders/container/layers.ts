// One layer per provisioner. Before each provisioner a fresh upper dir is mounted over the
// stack (base layers, then every earlier step's upper dir, which is itself a valid lower);
// after it the container is stopped, the overlay unmounted and the upper dir written as a
// layer. `applyLayer` is the single place a layer joins the stack, so a step cache can skip
// a provisioner by extracting a stored layer and calling it instead of running anything.
import { lstat, mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { minimatch } from 'minimatch';
import { ContainerCommunicator } from '../../src/communicators/container/index.js';
import { BuildError, errorMessage } from '../../src/core/errors.js';
import type { JournalEntry } from '../../src/core/journal-types.js';
import type { ProvisionHooks, ProvisionerRun, StepContext } from '../../src/core/plugin.js';
import type { Descriptor } from '../../src/oci/image.js';
import { readTreeXattrs } from '../../src/oci/xattr.js';
import { CONTAINER_RESOURCE_KIND } from '../../src/runtime/index.js';
import type { ContainerSpec, RuntimeContainer } from '../../src/runtime/types.js';
import type { ContainerBuildConfig } from './config.js';
import type { ContainerDriver } from './driver.js';

export interface StackEntry {
  createdBy: string;
  /** null for a provisioner that changed nothing (Docker's empty_layer history). */
  layer: { descriptor: Descriptor; diffId: string } | null;
}

/** The layers this build adds, and the overlay lower dirs they make up. */
export class LayerStack {
  /** Lower dirs, top first (overlayfs order). */
  readonly lowers: string[];
  readonly entries: StackEntry[] = [];

  constructor(baseDirsBottomFirst: readonly string[]) {
    this.lowers = [...baseDirsBottomFirst].reverse();
  }

  /** Puts a layer on top: its tree `dir` becomes the top lower of the next step. */
  applyLayer(layer: { descriptor: Descriptor; diffId: string }, dir: string, createdBy: string): void {
    this.lowers.unshift(dir);
    this.entries.push({ createdBy, layer });
  }

  addEmpty(createdBy: string): void {
    this.entries.push({ createdBy, layer: null });
  }
}

interface ActiveStep {
  run: ProvisionerRun;
  dir: string;
  upper: string;
  merged: string;
  mountEntry: JournalEntry | null;
  mounted: boolean;
  container: RuntimeContainer | null;
  containerEntry: JournalEntry | null;
  /** Mount points that did not exist in the image: runc creates them, we remove them. */
  createdMountpoints: string[];
}

/** Paths the runtime mounts over; they must not leak into layers as empty files/dirs. */
const RUNTIME_MOUNTPOINTS = ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/etc/resolv.conf', '/etc/hosts'];

export interface SessionOptions {
  config: ContainerBuildConfig;
  driver: ContainerDriver;
  buildDir: string;
  sourceDateEpoch: number;
  stack: LayerStack;
  /** Image defaults: env, user and workdir the build container starts with. */
  env: string[];
  user: string | undefined;
  workdir: string | undefined;
}

/** A committed layer as the step cache stores it (src/cache's CachedLayer). */
export interface CommittedLayer {
  mediaType: string;
  digest: string;
  size: number;
  diffId: string;
}

export class LayerSession implements ProvisionHooks {
  readonly comm = new ContainerCommunicator();
  /** What the last provisioner committed; null when it changed nothing. */
  private last: CommittedLayer | null = null;
  private active: ActiveStep | null = null;
  private counter = 0;
  /** With `squash`, every provisioner writes into this one upper dir. */
  private squashUpper: string | null = null;
  private readonly squashed: string[] = [];

  constructor(private readonly o: SessionOptions) {}

  async before(run: ProvisionerRun, ctx: StepContext): Promise<'run' | 'skip'> {
    await this.begin(run, ctx);
    return 'run';
  }

  async after(run: ProvisionerRun, ctx: StepContext): Promise<void> {
    await this.commit(run, ctx);
  }

  /** Mounts a fresh upper over the stack and attaches the communicator to it. */
  async begin(run: ProvisionerRun, ctx: StepContext): Promise<void> {
    if (this.active) await this.teardown(ctx);
    const n = ++this.counter;
    const dir = path.join(this.o.buildDir, `step-${n}`);
    const upper = this.o.config.squash ? (this.squashUpper ??= path.join(this.o.buildDir, 'squash-upper')) : path.join(dir, 'upper');
    const work = path.join(dir, 'work');
    const merged = path.join(dir, 'merged');
    await Promise.all([mkdir(upper, { recursive: true }), mkdir(work, { recursive: true }), mkdir(merged, { recursive: true })]);
    const step: ActiveStep = { run, dir, upper, merged, mountEntry: null, mounted: false, container: null, containerEntry: null, createdMountpoints: [] };
    this.active = step;
    let lowers = this.o.stack.lowers;
    if (lowers.length === 0) {
      // overlayfs needs a lower; a scratch build starts from an empty one.
      const empty = path.join(this.o.buildDir, 'empty');
      await mkdir(empty, { recursive: true });
      lowers = [empty];
    }
    step.mountEntry = await ctx.journal.record('mount', { target: merged }, `overlay for provisioner ${run.label}`);
    await this.o.driver.mountOverlay({ lowerdirs: lowers, upper, work, target: merged });
    step.mounted = true;
    const mountDests = [...RUNTIME_MOUNTPOINTS, ...this.o.config.mounts.map((m) => m.destination)];
    for (const p of mountDests) if (!(await exists(path.join(merged, p)))) step.createdMountpoints.push(p);
    const c = this.o.config;
    const owner = c.fixUploadOwner ? await uploadOwner(merged, this.o.user) : undefined;
    this.comm.attach({
      rootfs: merged,
      container: () => this.startContainer(step, ctx),
      ...(owner ? { uploadOwner: owner } : {}),
    });
  }

  /** Stops the container, unmounts, and turns the upper dir into the next layer. */
  async commit(run: ProvisionerRun, ctx: StepContext): Promise<void> {
    const step = this.active;
    if (!step) throw new BuildError(`provisioner ${run.label}: no build step is active`, { source: 'internal' });
    await this.teardown(ctx);
    await this.cleanUpper(step);
    const createdBy = describeRun(run);
    if (this.o.config.squash) {
      this.squashed.push(createdBy);
      return;
    }
    await this.addLayerFrom(step.upper, createdBy);
  }

  /** With squash: the one layer holding every provisioner's changes. */
  async finish(): Promise<void> {
    if (!this.o.config.squash || this.squashUpper === null || this.squashed.length === 0) return;
    await this.addLayerFrom(this.squashUpper, `imgbuild squash: ${this.squashed.join('; ')}`);
  }

  /**
   * The step cache's hit path: stack a stored layer (extracted once into the shared layer
   * store) exactly as if the provisioner had just run and committed it.
   */
  async applyCached(layer: CommittedLayer | null, run: ProvisionerRun): Promise<void> {
    const createdBy = describeRun(run);
    if (layer === null) {
      this.o.stack.addEmpty(createdBy);
      return;
    }
    const descriptor: Descriptor = { mediaType: layer.mediaType, digest: layer.digest, size: layer.size };
    const dir = await this.o.driver.extractLayer(descriptor, layer.diffId);
    this.o.stack.applyLayer({ descriptor, diffId: layer.diffId }, dir, createdBy);
  }

  lastCommitted(): CommittedLayer | null {
    return this.last;
  }

  describe(run: ProvisionerRun): string {
    return describeRun(run);
  }

  /** Stops whatever is running; safe to call twice and after a failure (step cleanup). */
  async teardown(ctx: StepContext): Promise<void> {
    const step = this.active;
    if (!step) return;
    this.comm.detach();
    const errors: string[] = [];
    if (step.container) {
      try {
        await step.container.destroy();
        step.container = null;
        if (step.containerEntry) await ctx.journal.strike(step.containerEntry);
        step.containerEntry = null;
      } catch (e) {
        errors.push(`remove container: ${errorMessage(e)}`);
      }
    } else if (step.containerEntry) {
      // Recorded but creation failed half-way: make sure no state is left with that id.
      try {
        await this.o.driver.runtime(this.o.config.runtime).remove(step.containerEntry.handle['id'] ?? '');
        await ctx.journal.strike(step.containerEntry);
        step.containerEntry = null;
      } catch (e) {
        errors.push(`remove container: ${errorMessage(e)}`);
      }
    }
    if (step.mountEntry) {
      try {
        await this.o.driver.unmount(step.merged);
        step.mounted = false;
        await ctx.journal.strike(step.mountEntry);
        step.mountEntry = null;
      } catch (e) {
        errors.push(`unmount: ${errorMessage(e)}`);
      }
    }
    this.active = null;
    if (errors.length > 0) throw new BuildError(`provisioner ${step.run.label}: cleanup failed: ${errors.join('; ')}`, { source: 'environment' });
  }

  private async startContainer(step: ActiveStep, ctx: StepContext): Promise<RuntimeContainer> {
    if (step.container) return step.container;
    const c = this.o.config;
    const id = `imgbuild-${ctx.build.runId.slice(0, 8)}-${this.counter}-${ctx.build.sourceName}`.replace(/[^\w.-]/g, '_').slice(0, 60);
    const spec: ContainerSpec = {
      id,
      rootfs: step.merged,
      bundleDir: path.join(step.dir, 'bundle'),
      hostname: 'imgbuild',
      network: c.network,
      env: this.o.env,
      mounts: c.mounts,
      privileged: c.privileged,
      capAdd: c.capAdd,
    };
    if (this.o.user !== undefined) spec.user = this.o.user;
    if (this.o.workdir !== undefined) spec.cwd = this.o.workdir;
    step.containerEntry = await ctx.journal.record(CONTAINER_RESOURCE_KIND, { runtime: c.runtime, id }, `build container for provisioner ${step.run.label}`);
    step.container = await this.o.driver.createContainer(c.runtime, spec);
    return step.container;
  }

  private async addLayerFrom(upper: string, createdBy: string): Promise<void> {
    this.last = null;
    if ((await readdir(upper)).length === 0) {
      this.o.stack.addEmpty(createdBy);
      return;
    }
    const layer = await this.o.driver.writeLayer(upper, {
      sourceDateEpoch: this.o.sourceDateEpoch,
      exclude: this.o.config.exclude,
      compression: this.o.config.compression,
    });
    // What is excluded from the image is removed from the build too, so later steps see
    // exactly what the image (or a cached layer) holds.
    if (this.o.config.exclude.length > 0) await removeMatching(upper, this.o.config.exclude);
    this.last = { mediaType: layer.mediaType, digest: layer.digest, size: layer.size, diffId: layer.diffId };
    this.o.stack.applyLayer({ descriptor: { mediaType: layer.mediaType, digest: layer.digest, size: layer.size }, diffId: layer.diffId }, upper, createdBy);
  }

  /**
   * Drops what only the runtime put there: mount points it created, and directories copied
   * up with nothing changed but their mtime (a script uploaded to /tmp and removed), so a
   * provisioner that changed nothing gives an empty layer.
   */
  private async cleanUpper(step: ActiveStep): Promise<void> {
    for (const p of [...step.createdMountpoints].sort().reverse()) {
      const host = path.join(step.upper, p);
      const st = await lstat(host).catch(() => null);
      if (!st) continue;
      if (st.isFile() && st.size === 0) await rm(host, { force: true });
      else if (st.isDirectory()) await rmdir(host).catch(() => undefined);
    }
    const xattrs = await readTreeXattrs(step.upper).catch(() => new Map<string, Array<[string, Buffer]>>());
    await pruneUnchangedDirs(step.upper, '', this.o.stack.lowers, xattrs);
  }
}

const OVERLAY_BOOKKEEPING = new Set(['trusted.overlay.origin', 'trusted.overlay.impure', 'trusted.overlay.uuid', 'trusted.overlay.nlink']);

/** Post-order: an empty upper dir without xattrs whose lower twin has the same mode/owner. */
async function pruneUnchangedDirs(upper: string, rel: string, lowers: readonly string[], xattrs: Map<string, Array<[string, Buffer]>>): Promise<boolean> {
  const abs = path.join(upper, rel);
  const entries = await readdir(abs, { withFileTypes: true });
  let remaining = entries.length;
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    if (await pruneUnchangedDirs(upper, path.join(rel, e.name), lowers, xattrs)) remaining--;
  }
  if (rel === '' || remaining > 0) return false;
  // overlayfs's own bookkeeping (origin, impure, uuid) says nothing about content; an opaque
  // or redirect marker, or any real xattr, does.
  if ((xattrs.get(abs) ?? []).some(([name]) => !OVERLAY_BOOKKEEPING.has(name.replace(/^user\./, 'trusted.')))) return false;
  const st = await lstat(abs);
  for (const lower of lowers) {
    const l = await lstat(path.join(lower, rel)).catch(() => null);
    if (!l) continue;
    if (!l.isDirectory() || l.mode !== st.mode || l.uid !== st.uid || l.gid !== st.gid) return false;
    await rmdir(abs);
    return true;
  }
  return false;
}

async function removeMatching(root: string, globs: string[]): Promise<void> {
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (globs.some((g) => minimatch(r, g, { dot: true }))) await rm(path.join(root, r), { recursive: true, force: true });
      else if (e.isDirectory()) await walk(r);
    }
  };
  await walk('');
}

/** `imgbuild shell: apt-get install -y hello`: the provisioner name, else what it does. */
export function describeRun(run: ProvisionerRun): string {
  if (run.label !== run.type) return `imgbuild ${run.type}: ${run.label}`;
  const c = run.config as { inline?: unknown; scripts?: unknown; sources?: unknown; destination?: unknown; content?: unknown } | null;
  if (c && Array.isArray(c.inline)) {
    const first = c.inline.find((l): l is string => typeof l === 'string' && l.trim() !== '');
    return `imgbuild ${run.type}: ${first?.trim() ?? ''}`;
  }
  if (c && Array.isArray(c.scripts) && run.type === 'shell') return `imgbuild shell: ${c.scripts.map((s) => path.basename(String(s))).join(' ')}`;
  if (c && typeof c.destination === 'string') {
    const what = typeof c.content === 'string' ? 'content' : Array.isArray(c.sources) ? c.sources.map((s) => path.basename(String(s))).join(' ') : '';
    return `imgbuild ${run.type}: ${what} -> ${c.destination}`;
  }
  return `imgbuild ${run.type}`;
}

async function exists(p: string): Promise<boolean> {
  return (await lstat(p).catch(() => null)) !== null;
}

async function uploadOwner(rootfs: string, user: string | undefined): Promise<{ uid: number; gid: number } | undefined> {
  if (user === undefined || user === '' || user === 'root' || user === '0') return undefined;
  const { resolveUser } = await import('../../src/runtime/user.js');
  const u = await resolveUser(rootfs, user);
  return { uid: u.uid, gid: u.gid };
}
