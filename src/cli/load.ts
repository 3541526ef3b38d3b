// Loading a template from command-line flags, shared by build, validate, inspect and console.
// Template errors become one SourcedDiagnosticsError (all problems at once, with code
// frames); warnings are printed and loading goes on, as Packer does.
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error, hasErrors } from '../hcl/diagnostic.js';
import type { BuildPlan } from '../core/model/plan.js';
import type { DataSourceHost, Template } from '../template/types.js';
import { loadTemplate } from '../template/load.js';
import { planBuilds } from '../template/planner.js';
import { printDiagnostics, rememberSources, SourcedDiagnosticsError } from './diagnostics.js';
import { parseByteSize, splitList, UsageError } from './argv.js';
import { wantsColor, type CliIo } from './io.js';

export interface TemplateFlags {
  var?: string[];
  varFile?: string[];
  only?: string[];
  except?: string[];
  color?: boolean;
}

export interface LoadedTemplate {
  template: Template;
  sources: ReadonlyMap<string, string>;
  /** With `deferErrors`: the load's diagnostics (errors included), not yet reported. */
  deferred: Diagnostic[];
}

export interface CliLoadOptions {
  /** inspect and console show a template's shape even when some values cannot be computed. */
  lenient?: boolean;
  /** The data-source stage: `validate` prepares data sources, `build` also executes them. */
  dataSources?: 'validate' | 'build';
  signal?: AbortSignal;
  /** validate: value errors do not stop here when the template decoded; the caller reports them with the rest. */
  deferErrors?: boolean;
}

export async function loadForCli(templatePath: string, flags: TemplateFlags, io: CliIo, opts: CliLoadOptions = {}): Promise<LoadedTemplate> {
  const vars = parseVarFlags(flags.var ?? []);
  const maxFileBytes = maxFileBytesFromEnv(io.env);
  const result = await loadTemplate(templatePath, {
    ...(maxFileBytes === null ? {} : { maxFileBytes }),
    vars,
    varFiles: flags.varFile ?? [],
    env: io.env,
    cwd: io.cwd,
    lenientValues: opts.lenient === true,
    ...(opts.dataSources ? { dataSources: await dataSourceHost(opts.dataSources === 'build', opts.signal) } : {}),
  });
  rememberSources(result.sources);
  if (opts.deferErrors === true && result.decoded) return { template: result.decoded, sources: result.sources, deferred: result.diagnostics };
  await reportOrThrow(result.diagnostics, result.sources, flags, io);
  if (result.template === null) {
    // The loader promises diagnostics whenever it returns no template; this is the backstop.
    throw new SourcedDiagnosticsError([error('Template not loaded', `${templatePath} could not be loaded.`)], result.sources);
  }
  return { template: result.template, sources: result.sources, deferred: [] };
}

/** Data-source plugins from the registry; imported only when a template has a data block of that type. */
async function dataSourceHost(execute: boolean, signal: AbortSignal | undefined): Promise<DataSourceHost> {
  const [{ isKnownPlugin, loadDefinition, loadPlugin, unknownPluginDiagnostic }, { registerBuiltins }] = await Promise.all([
    import('../core/registry.js'),
    import('./plugins.js'),
  ]);
  registerBuiltins();
  return {
    execute,
    definition: async (type) => (isKnownPlugin('data-source', type) ? await loadDefinition('data-source', type) : null),
    plugin: (type) => loadPlugin('data-source', type),
    unknownType: (type, range) => unknownPluginDiagnostic('data-source', type, range),
    ...(signal ? { signal } : {}),
  };
}

/** Evaluates the builds selected by -only/-except into a plan; errors throw. */
export async function planForCli(loaded: LoadedTemplate, flags: TemplateFlags, io: CliIo): Promise<BuildPlan> {
  const { plan, diagnostics } = planBuilds(loaded.template, {
    only: splitList(flags.only ?? []),
    except: splitList(flags.except ?? []),
  });
  await reportOrThrow(diagnostics, loaded.sources, flags, io);
  if (plan === null) {
    throw new SourcedDiagnosticsError([error('No build plan', 'The template produced no build plan.')], loaded.sources);
  }
  return plan;
}

/** Throws when any diagnostic is an error (warnings go along with it); else prints the warnings. */
export async function reportOrThrow(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  flags: { color?: boolean },
  io: CliIo,
): Promise<void> {
  if (hasErrors(diagnostics)) throw new SourcedDiagnosticsError([...diagnostics], sources);
  await printDiagnostics(diagnostics, sources, io, wantsColor(io, flags.color));
}

/** IMGBUILD_MAX_FILE_SIZE: how large a file the template's file functions may read. */
function maxFileBytesFromEnv(env: NodeJS.ProcessEnv): number | null {
  const text = env['IMGBUILD_MAX_FILE_SIZE'];
  if (text === undefined || text === '') return null;
  const bytes = parseByteSize(text);
  if (bytes === null) throw new UsageError(`IMGBUILD_MAX_FILE_SIZE: "${text}" is not a size; use e.g. 64MiB, 100MB or a number of bytes.`);
  return bytes;
}

/**
 * `-var name=value` pairs in command-line order. The value is everything after the first
 * "=", so `-var 'tags={a="b=c"}'` keeps its inner "=". A malformed -var is a usage error
 * (exit 2) in every command, with Packer's wording.
 */
export function parseVarFlags(flags: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (const raw of flags) {
    const eq = raw.indexOf('=');
    const name = eq < 0 ? '' : raw.slice(0, eq).trim();
    if (eq < 0 || name === '') {
      throw new UsageError(
        `The given -var option "${raw}" is not correctly specified. It must be a variable name and value separated by an equals sign, like -var="key=value".`,
      );
    }
    pairs.push([name, raw.slice(eq + 1)]);
  }
  return pairs;
}
