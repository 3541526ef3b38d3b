// The plugin contracts every builder, provisioner, post-processor and communicator meets.
// `core` imports no plugin; plugins import these types. Shapes follow Packer's SDK
// (multistep, packer.Builder/Provisioner/PostProcessor) with typed state and typed events.
import type { Readable, Writable } from 'node:stream';
import type { GeneratedData } from './model/plan.js';
import type { Value } from './model/value.js';
import type { Journal } from './journal-types.js';
import type { StateBag } from './state.js';
import type { Ui } from './ui.js';

// Plugins meet RawConfig and GeneratedData through this contract; the build model defines them.
export type { GeneratedData, RawConfig } from './model/plan.js';
// The base and data-source contracts are shared with the template layer; see model/data-source.ts.
import type { DataSource, DataSourceDefinition, PluginBase } from './model/data-source.js';
export type { DataSource, DataSourceContext, DataSourceDefinition, PluginBase, PluginKind, PrepareContext, Prepared } from './model/data-source.js';

/* ------------------------------------------------------------------------------------------
 * Steps
 * ---------------------------------------------------------------------------------------- */

export interface BuildInfo {
  /** Build block name ("" when unnamed). */
  buildName: string;
  /** `type.name` of the source, e.g. "null.basic". Packer's PACKER_BUILD_NAME is `name`. */
  sourceFullName: string;
  sourceType: string;
  sourceName: string;
  /** Unique per run; used to name containers, temp dirs and cloud resources. */
  runId: string;
  templateDir: string;
  /** Values of sensitive variables: never to be stored or printed (the step cache hashes them). */
  sensitiveValues?: readonly string[];
}

export interface StepContext {
  state: StateBag;
  signal: AbortSignal;
  ui: Ui;
  journal: Journal;
  build: BuildInfo;
}

/**
 * One unit of a build. The runner registers `cleanup` the moment `run` starts, so a step
 * that fails half-way is still cleaned up: cleanup must do nothing when the step created
 * nothing, and tolerate "already gone".
 */
export interface Step {
  readonly name: string;
  run(ctx: StepContext): Promise<void>;
  cleanup?(ctx: StepContext): Promise<void>;
}

/** Where a builder wants the core's provisioning to happen; placed in its step list. */
export const PROVISION_STEP = Symbol('provision');
export type BuilderStep = Step | typeof PROVISION_STEP;

/** A provisioner as the core runs it, passed to ProvisionHooks. */
export interface ProvisionerRun {
  index: number;
  type: string;
  /** `name` meta-argument, else the type. */
  label: string;
  config: unknown;
  plugin: Provisioner<unknown>;
  /** `cache = false` on the block: the step cache must run it. Absent: cacheable. */
  cacheEnabled?: boolean;
  /** `cache_key` on the block, mixed into the step's cache key. */
  cacheSalt?: string;
  /** Set by a step cache's `before` hook; reported in the step-end event. */
  cacheKey?: string;
}

/**
 * Builders that need to act around each provisioner (the container builder commits one
 * layer per provisioner, and its cache may skip a provisioner entirely) set these in state
 * under PROVISION_HOOKS.
 */
export interface ProvisionHooks {
  /** Return 'skip' to not run this provisioner (its result is already there, e.g. cached). */
  before?(run: ProvisionerRun, ctx: StepContext): Promise<'run' | 'skip'>;
  after?(run: ProvisionerRun, ctx: StepContext): Promise<void>;
}

export interface Builder<C = unknown> extends PluginBase<C> {
  readonly kind: 'builder';
  /** Which communicator provisioners use, given the config. */
  communicatorType(config: C): 'container' | 'ssh' | 'none' | 'winrm';
  steps(config: C, build: BuildInfo): BuilderStep[];
  /** Called after the steps succeed; null when the build produced nothing (`discard`). */
  artifact(config: C, state: StateBag): Artifact | null;
}

/* ------------------------------------------------------------------------------------------
 * Communicators and provisioners
 * ---------------------------------------------------------------------------------------- */

export interface ExecOptions {
  signal?: AbortSignal;
  stdin?: Readable | string;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  env?: Record<string, string>;
}

export interface ExecResult {
  exitCode: number;
  /** Set when the remote command died by a signal. */
  signal?: string;
}

export interface UploadOptions {
  mode?: number;
  signal?: AbortSignal;
}

export interface Communicator {
  readonly type: string;
  /** Runs `cmd` through the remote shell (`/bin/sh -c`). */
  exec(cmd: string, opts?: ExecOptions): Promise<ExecResult>;
  upload(dst: string, src: Readable | Buffer, opts?: UploadOptions): Promise<void>;
  /** Copies the local directory `src` to `dst`; rsync semantics for a trailing slash, as Packer. */
  uploadDir(dst: string, src: string, opts?: { exclude?: string[]; signal?: AbortSignal }): Promise<void>;
  download(src: string, dst: Writable, opts?: { signal?: AbortSignal }): Promise<void>;
  downloadDir?(src: string, dst: string, opts?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}

export interface ProvisionContext {
  signal: AbortSignal;
  ui: Ui;
  comm: Communicator;
  generated: GeneratedData;
  build: BuildInfo;
}

export interface Provisioner<C = unknown> extends PluginBase<C> {
  readonly kind: 'provisioner';
  provision(ctx: ProvisionContext, config: C): Promise<void>;
  /**
   * What this provisioner's result depends on besides its config (uploaded file contents,
   * scripts), for the step cache. Absent: never cached (it may act outside the image, as
   * shell-local does); null for one configuration: that one always runs (a file download).
   */
  cacheInputs?(config: C, templateDir: string): Promise<Value>;
}

/* ------------------------------------------------------------------------------------------
 * Artifacts and post-processors
 * ---------------------------------------------------------------------------------------- */

export interface Artifact {
  /** e.g. "imgbuild.container", "packer.null"; Packer-style builder ids. */
  readonly builderId: string;
  /** Image digest, AMI id, file path... */
  readonly id: string;
  readonly files: string[];
  /** Human summary printed at the end of a build. */
  readonly description: string;
  /** Typed per-builder extras (e.g. OCI layout path); post-processors read what they know. */
  readonly state: Readonly<Record<string, unknown>>;
  destroy(): Promise<void>;
}

export interface PostProcessContext {
  signal: AbortSignal;
  ui: Ui;
  journal: Journal;
  build: BuildInfo;
  generated: GeneratedData;
  /** -force: replace existing output (the manifest starts a new file for a new run). */
  force?: boolean;
  /**
   * Replaces sensitive values with `<sensitive>`; post-processors that write user values
   * into files (manifest custom_data) pass them through it. Absent: identity.
   */
  scrub?: (text: string) => string;
}

export interface PostProcessResult {
  artifact: Artifact;
  /** The plugin's wish to keep its input; `keep_input_artifact` in the template overrides. */
  keepInput: boolean;
  /** When true, `keep_input_artifact` cannot override keepInput (Packer's forceOverride). */
  forceOverride?: boolean;
}

export interface PostProcessor<C = unknown> extends PluginBase<C> {
  readonly kind: 'post-processor';
  process(ctx: PostProcessContext, input: Artifact, config: C): Promise<PostProcessResult>;
}

/* ------------------------------------------------------------------------------------------
 * Data sources
 * ---------------------------------------------------------------------------------------- */

export type AnyPlugin = Builder<unknown> | Provisioner<unknown> | PostProcessor<unknown> | DataSource<unknown>;

/* ------------------------------------------------------------------------------------------
 * Definitions: the light half of a plugin
 * ---------------------------------------------------------------------------------------- */

// A plugin ships as two modules. Its definition (`definition.ts`: name, config schema,
// `prepare`, `cacheInputs`, resource kinds) imports no driver, step or SDK, and is all that
// `validate` loads; the whole plugin (`index.ts`: the definition plus steps, driver and
// clients) is imported only when a build runs it. See docs/architecture.md.

export type BuilderDefinition<C = unknown> = Omit<Builder<C>, 'steps' | 'artifact'>;
export type ProvisionerDefinition<C = unknown> = Omit<Provisioner<C>, 'provision'>;
export type PostProcessorDefinition<C = unknown> = Omit<PostProcessor<C>, 'process'>;
export type AnyDefinition = BuilderDefinition | ProvisionerDefinition | PostProcessorDefinition | DataSourceDefinition;
