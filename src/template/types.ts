// The loaded template model: every Packer-level block decoded and checked, variables and
// locals already evaluated, plugin bodies kept as (expanded) syntax so they can be evaluated
// later with contextual values (source.*, build.*) the way Packer does.
import type { Attribute, Body, Expr, File, Range } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import type { DataSource, DataSourceDefinition } from '../core/model/data-source.js';
import type { Value, ValueObject } from '../core/model/value.js';
import type { TypeConstraint } from './adapter.js';

export interface LoadOptions {
  /** `-var name=value`, in command-line order. */
  vars: [string, string][];
  /** `-var-file` paths, in command-line order; relative to cwd. */
  varFiles: string[];
  /** Process environment: `PKR_VAR_name` values are read from here. */
  env: Record<string, string | undefined>;
  cwd: string;
  now?: () => Date;
  /** The file functions' size limit in bytes (IMGBUILD_MAX_FILE_SIZE); a default applies when absent. */
  maxFileBytes?: number;
  /**
   * For `inspect` and `console`: values that cannot be computed here (unset variables, a
   * local reading a file that is not present) become unknown with a warning instead of
   * failing the load, as a template's shape is still worth showing.
   */
  lenientValues?: boolean;
  /** Runs the data-source stage; absent (inspect, console): every `data.*` value is unknown. */
  dataSources?: DataSourceHost;
}

/**
 * What the data-source stage needs from outside the template model: the plugins (the CLI
 * knows them) and whether to execute them. `validate` prepares every data source and gives
 * `data.TYPE.NAME` its attributes with unknown values; `build` executes them.
 */
export interface DataSourceHost {
  execute: boolean;
  /** The definition of a data-source type (schema, prepare, outputs), or null when imgbuild has none. */
  definition(type: string): Promise<DataSourceDefinition<unknown> | null>;
  /** The whole plugin, runtime included: loaded only to execute it. */
  plugin(type: string): Promise<DataSource<unknown>>;
  /** The error for a type imgbuild has none of, at the block's type label. */
  unknownType(type: string, range: Range): Diagnostic;
  signal?: AbortSignal;
}

/** Where a variable's final value came from, lowest precedence first. */
export type ValueSource = 'default' | 'env' | 'auto-varfile' | 'varfile' | 'cli' | 'unset';

export interface VariableValidation {
  condition: Expr;
  errorMessage: string;
  range: Range;
}

export interface VariableDef {
  name: string;
  /** The `variable` block, or the attribute in a legacy `variables {}` block. */
  range: Range;
  nameRange: Range;
  type: TypeConstraint | null;
  /** "string", "list(string)"...; "any" when no type was given. */
  typeText: string;
  default: Value | undefined;
  description: string;
  sensitive: boolean;
  nullable: boolean;
  validations: VariableValidation[];
  value: Value;
  valueSource: ValueSource;
}

export interface LocalDef {
  name: string;
  expr: Expr;
  nameRange: Range;
  range: Range;
  sensitive: boolean;
  value: Value;
}

/** Iterator values bound by `dynamic` blocks, visible to the expressions inside them. */
export type Bindings = Readonly<Record<string, Value>>;

/** A body after `dynamic` expansion; each item remembers the iterators in scope for it. */
export interface XBody {
  items: XItem[];
  range: Range;
}

export type XItem = XAttribute | XBlock;

export interface XAttribute {
  kind: 'attribute';
  attr: Attribute;
  bindings: Bindings;
}

export interface XBlock {
  kind: 'block';
  type: string;
  typeRange: Range;
  labels: string[];
  labelRanges: Range[];
  /** Not yet expanded: nested `dynamic` blocks are expanded when the body is evaluated. */
  body: Body;
  range: Range;
  bindings: Bindings;
}

export interface SourceDef {
  type: string;
  name: string;
  /** "type.name" */
  key: string;
  body: Body;
  range: Range;
  typeRange: Range;
  labelRanges: Range[];
}

export interface DataDef {
  type: string;
  name: string;
  body: Body;
  range: Range;
  typeRange: Range;
  /** The result, set by the data-source stage; unknown until (and unless) it runs. */
  value: Value;
  /** False when loaded without the data-source stage (inspect, console). */
  evaluated: boolean;
}

export interface SourceRef {
  type: string;
  name: string;
}

/** One source a build runs: a reference plus an optional build-level override body. */
export interface BuildSourceUse {
  ref: SourceRef;
  /** `name = ...` of a build-level `source` block: renames the source in this build. */
  localName: string | null;
  /** The build-level block's other items, merged into the top-level source body. */
  extra: XItem[];
  range: Range;
  /** The reference text (list element or block label), for "unknown source". */
  refRange: Range;
}

export interface OnlyExcept {
  only: string[];
  except: string[];
}

export interface ProvisionerDef extends OnlyExcept {
  type: string;
  typeRange: Range;
  range: Range;
  /** Plugin body with the meta-arguments removed; its own `dynamic` blocks are expanded when evaluated. */
  items: XItem[];
  bodyRange: Range;
  name: string | null;
  pauseBeforeMs: number;
  maxRetries: number;
  timeoutMs: number | null;
  /** `override`, keyed by source reference. */
  override: ValueObject | null;
}

export interface PostProcessorDef extends OnlyExcept {
  type: string;
  typeRange: Range;
  range: Range;
  items: XItem[];
  bodyRange: Range;
  name: string | null;
  keepInputArtifact: boolean | null;
}

export interface BuildDef {
  name: string;
  description: string;
  range: Range;
  sources: BuildSourceUse[];
  provisioners: ProvisionerDef[];
  errorCleanupProvisioner: ProvisionerDef | null;
  /** Each inner array is one chain; a lone `post-processor` is a chain of one. */
  postProcessorChains: PostProcessorDef[][];
}

export interface RequiredPlugin {
  name: string;
  source: string | null;
  version: string | null;
  range: Range;
}

export interface Template {
  /** `path.root`: the template folder (or the folder of the single template file). */
  dir: string;
  cwd: string;
  files: File[];
  sources: Map<string, string>;
  requiredVersion: string | null;
  requiredPlugins: RequiredPlugin[];
  variables: Map<string, VariableDef>;
  locals: Map<string, LocalDef>;
  sourceBlocks: Map<string, SourceDef>;
  dataSources: Map<string, DataDef>;
  builds: BuildDef[];
  now: () => Date;
  /** The file functions' size limit in bytes, when not the default. */
  maxFileBytes?: number;
}
