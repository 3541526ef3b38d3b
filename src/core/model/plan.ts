// The typed result of loading and evaluating a template: what the build engine runs.
// `template` produces it without knowing any plugin; `core` consumes it without knowing HCL.
import type { Range } from '../../hcl/ast.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import type { ValueObject } from './value.js';

/**
 * A block body after evaluation, as a plugin receives it. Attributes are values; nested
 * blocks are arrays of objects under their type name (`tag { ... } tag { ... }` becomes
 * `tag: [{...}, {...}]`). Ranges let `prepare` point at the exact key it rejects.
 */
export interface RawConfig {
  values: ValueObject;
  /** Source range of each key, by path: "image", "changes.2", "tag.0.key". */
  ranges: ReadonlyMap<string, Range>;
  /** Range of the whole block, for "missing required key" diagnostics. */
  blockRange: Range;
}

/** Run-time values provisioners see as `build.*` (Packer's "generated data"). */
export type GeneratedData = Record<string, string | number | boolean>;

export interface EvaluatedConfig {
  raw: RawConfig;
  diagnostics: Diagnostic[];
}

/** A `source`, `provisioner` or `post-processor` block ready to be evaluated. */
export interface PlannedPlugin {
  /** Plugin type label: "docker", "shell", "manifest". */
  type: string;
  typeRange: Range;
  /** The whole block. */
  range: Range;
  /**
   * Evaluates the block body. `generated` holds the run-time `build.*` values
   * (ID, Host, Port, User, SSHPrivateKey...); null during validate, when they are unknown.
   * Packer evaluates provisioners late for the same reason.
   */
  evaluate(generated: GeneratedData | null): EvaluatedConfig;
}

export interface PlannedProvisioner extends PlannedPlugin {
  /** `name` meta-argument, or null. */
  name: string | null;
  pauseBeforeMs: number;
  maxRetries: number;
  /** null: no timeout. */
  timeoutMs: number | null;
}

export interface PlannedPostProcessor extends PlannedPlugin {
  name: string | null;
  /** null when not set: the plugin decides. */
  keepInputArtifact: boolean | null;
}

export interface PlannedBuild {
  /** `name` of the build block, "" when unnamed. */
  buildName: string;
  sourceType: string;
  sourceName: string;
  /** `type.name` */
  sourceFullName: string;
  /** What Packer prints and what -only/-except match: "name.type.name" or "type.name". */
  displayName: string;
  /** The source block merged with any build-level override of it. */
  source: PlannedPlugin;
  /** Already filtered by each provisioner's only/except, with `override` applied. */
  provisioners: PlannedProvisioner[];
  errorCleanupProvisioner: PlannedProvisioner | null;
  /** Each inner array is one chain; a lone `post-processor` block is a chain of one. */
  postProcessorChains: PlannedPostProcessor[][];
  range: Range;
}

export interface BuildPlan {
  builds: PlannedBuild[];
  /** Values of sensitive variables (and locals), scrubbed from every output. */
  sensitiveValues: string[];
  /** The template folder; relative paths in configs are resolved from here. */
  templateDir: string;
  /** File contents by name, for rendering diagnostics with code frames. */
  sources: ReadonlyMap<string, string>;
  /** Warnings found while planning (deprecated keys, unused variables...). */
  warnings: Diagnostic[];
}
