// The plugin base contract and the data-source contract. They live in the build model
// because the template layer resolves `data` blocks through them while core's plugin
// contracts (src/core/plugin.ts, which re-exports them) build on them.
import type { ZodTypeAny } from 'zod';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import type { ResourceKindSource } from '../journal-types.js';
import type { RawConfig } from './plan.js';
import type { ValueObject } from './value.js';

export type PluginKind = 'builder' | 'provisioner' | 'post-processor' | 'data-source';

export interface PrepareContext {
  /** Folder of the template, for resolving relative paths. */
  templateDir: string;
  /** `type.name` of the source being built, e.g. "container.app". */
  sourceFullName: string;
  buildName: string;
}

export interface Prepared<C> {
  config: C | null;
  warnings: Diagnostic[];
  errors: Diagnostic[];
}

export interface PluginBase<C> {
  readonly kind: PluginKind;
  readonly name: string;
  /** zod schema of the native config (documentation and `inspect`). */
  readonly configSchema: ZodTypeAny;
  /** Pure: validates and normalises, reports every problem at once, never touches the system. */
  prepare(raw: RawConfig, ctx: PrepareContext): Prepared<C>;
  /**
   * The resource kinds this plugin journals beyond core's `path`, `process` and `mount`,
   * so `imgbuild cleanup` can remove them after a killed build; `load` imports the
   * remover only when an entry of one of them is found.
   */
  readonly resourceKinds?: ResourceKindSource;
}

export interface DataSourceContext {
  signal: AbortSignal;
  templateDir: string;
  /** A warning shown at the data block (Packer prints these and goes on). */
  warn(message: string): void;
}

/**
 * A `data "TYPE" "NAME"` block (Packer's Datasource: ConfigSpec/Configure/OutputSpec/Execute).
 * `validate` loads only the definition: it prepares the block and types `data.TYPE.NAME.*`
 * from `outputs` without running anything; `build` loads the whole plugin and executes it.
 */
export interface DataSource<C = unknown> extends PluginBase<C> {
  readonly kind: 'data-source';
  /** Attribute names of the result (Packer's OutputSpec). */
  readonly outputs: readonly string[];
  /** The result when the config alone gives it (null's output is its input): nothing to run. */
  resultWithoutRun?(config: C): ValueObject;
  /** The result, one value per name in `outputs`. Throws a typed error saying why it failed. */
  execute(config: C, ctx: DataSourceContext): Promise<ValueObject>;
}

export type DataSourceDefinition<C = unknown> = Omit<DataSource<C>, 'execute'>;
