// The plugin registry. Plugins are registered by name with two loaders and imported only
// when a template uses them: the definition (schema, prepare) for `validate`, the whole
// plugin (steps, driver, SDK clients) only for a build. The CLI registers what ships.
import { splitCacheMeta } from './cache-meta.js';
import type { Range } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { hasErrors } from '../hcl/diagnostic.js';
import type { BuildPlan, PlannedBuild, PlannedPlugin } from './model/plan.js';
import { EnvironmentError, ImgbuildError, errorMessage } from './errors.js';
import type {
  AnyDefinition,
  AnyPlugin,
  Builder,
  BuilderDefinition,
  DataSource,
  DataSourceDefinition,
  PluginKind,
  PostProcessor,
  PostProcessorDefinition,
  Provisioner,
  ProvisionerDefinition,
} from './plugin.js';
import { didYouMean } from './suggest.js';

export type PluginLoader = () => Promise<AnyPlugin>;
export type DefinitionLoader = () => Promise<AnyDefinition>;

export interface PluginOfKind {
  builder: Builder<unknown>;
  provisioner: Provisioner<unknown>;
  'post-processor': PostProcessor<unknown>;
  'data-source': DataSource<unknown>;
}
export interface DefinitionOfKind {
  builder: BuilderDefinition<unknown>;
  provisioner: ProvisionerDefinition<unknown>;
  'post-processor': PostProcessorDefinition<unknown>;
  'data-source': DataSourceDefinition<unknown>;
}
export type LoadableKind = keyof PluginOfKind;

interface Registered {
  plugin: PluginLoader;
  /** Absent: the definition is the whole plugin (a test's plugin, one with no runtime). */
  definition?: DefinitionLoader;
}

const registered = new Map<string, Registered>();
const loaded = new Map<string, Promise<AnyPlugin>>();
const loadedDefinitions = new Map<string, Promise<AnyDefinition>>();

const keyOf = (kind: PluginKind, name: string): string => `${kind}\u0000${name}`;

export function registerPlugin(kind: LoadableKind, name: string, loader: PluginLoader, definition?: DefinitionLoader): void {
  const key = keyOf(kind, name);
  registered.set(key, definition ? { plugin: loader, definition } : { plugin: loader });
  loaded.delete(key);
  loadedDefinitions.delete(key);
}

export function isKnownPlugin(kind: LoadableKind, name: string): boolean {
  return registered.has(keyOf(kind, name));
}

/** Registered names of a kind, sorted. */
export function knownPlugins(kind: LoadableKind): string[] {
  const prefix = keyOf(kind, '');
  return [...registered.keys()]
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length))
    .sort();
}

/** Imports the whole plugin once (its runtime too); an unknown name or a broken module is an ImgbuildError. */
export function loadPlugin<K extends LoadableKind>(kind: K, name: string): Promise<PluginOfKind[K]> {
  return loadOnce(loaded, kind, name, (r) => r.plugin) as Promise<PluginOfKind[K]>;
}

/** Imports only the plugin's definition (schema, prepare, cacheInputs): what `validate` needs. */
export function loadDefinition<K extends LoadableKind>(kind: K, name: string): Promise<DefinitionOfKind[K]> {
  return loadOnce(loadedDefinitions, kind, name, (r) => r.definition ?? r.plugin) as Promise<DefinitionOfKind[K]>;
}

function loadOnce<T extends AnyDefinition>(
  cache: Map<string, Promise<T>>,
  kind: LoadableKind,
  name: string,
  pick: (r: Registered) => () => Promise<T>,
): Promise<T> {
  const key = keyOf(kind, name);
  let p = cache.get(key);
  if (!p) {
    const r = registered.get(key);
    if (!r) {
      return Promise.reject(new ImgbuildError('E_UNKNOWN_PLUGIN', unknownPluginMessage(kind, name)));
    }
    p = pick(r)().then((plugin) => {
      if (plugin.kind !== kind || plugin.name !== name) {
        throw new ImgbuildError(
          'E_PLUGIN',
          `internal: the module registered as ${kind} "${name}" exports ${plugin.kind} "${plugin.name}"`,
          { source: 'internal' },
        );
      }
      return plugin;
    });
    cache.set(key, p);
    // A failed import is not cached: the module may be installed by the next call (tests).
    p.catch(() => cache.delete(key));
  }
  return p;
}

/** `Unknown builder type "amazon-ebs"`, at the block's type label, listing what exists. */
export function unknownPluginDiagnostic(kind: LoadableKind, name: string, range: Range): Diagnostic {
  return {
    severity: 'error',
    summary: `Unknown ${kind} type "${name}"`,
    detail: unknownPluginDetail(kind, name),
    subject: range,
  };
}

function unknownPluginMessage(kind: LoadableKind, name: string): string {
  return `Unknown ${kind} type "${name}". ${unknownPluginDetail(kind, name)}`;
}

function unknownPluginDetail(kind: LoadableKind, name: string): string {
  const known = knownPlugins(kind);
  const hint = didYouMean(name, known);
  return (
    `${hint ? `Did you mean "${hint}"? ` : ''}` +
    `imgbuild has these ${kind}s: ${known.map((k) => `"${k}"`).join(', ')}.`
  );
}

/**
 * A loader for a whole plugin (definition and runtime). It finds the exported plugin object
 * by its kind and name, so the module is free to name its exports; a module that is not
 * part of this installation (a test's, or an optional one) gives a clear error.
 */
export function moduleLoader(
  kind: LoadableKind,
  name: string,
  importer: () => Promise<Record<string, unknown>>,
  displayPath: string,
): PluginLoader {
  return async () => {
    const found = findExport(await importModule(kind, name, importer, displayPath), kind, name, displayPath);
    if (!hasRuntime(found)) {
      throw new ImgbuildError('E_PLUGIN', `${displayPath} exports only the definition of ${kind} "${name}", not the whole plugin`, {
        source: 'internal',
      });
    }
    return found;
  };
}

/** A loader for a plugin's definition module (`definition.ts`), found as moduleLoader finds a plugin. */
export function definitionLoader(
  kind: LoadableKind,
  name: string,
  importer: () => Promise<Record<string, unknown>>,
  displayPath: string,
): DefinitionLoader {
  return async () => findExport(await importModule(kind, name, importer, displayPath), kind, name, displayPath);
}

async function importModule(
  kind: LoadableKind,
  name: string,
  importer: () => Promise<Record<string, unknown>>,
  displayPath: string,
): Promise<Record<string, unknown>> {
  try {
    return await importer();
  } catch (e) {
    // Only the plugin's own module missing means "not installed"; a missing dependency
    // inside it is a broken installation and keeps its own message.
    const code = (e as NodeJS.ErrnoException).code;
    const notFound = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find module/.test(errorMessage(e));
    if (notFound && errorMessage(e).includes(displayPath)) {
      throw new EnvironmentError(
        `${kind} "${name}" is not available in this installation of imgbuild (module ${displayPath} is missing)`,
        { code: 'E_PLUGIN_MISSING', cause: e },
      );
    }
    throw new ImgbuildError('E_PLUGIN', `load ${kind} "${name}" from ${displayPath}: ${errorMessage(e)}`, {
      source: 'internal',
      cause: e,
    });
  }
}

function findExport(mod: Record<string, unknown>, kind: LoadableKind, name: string, displayPath: string): AnyDefinition {
  for (const v of Object.values(mod)) {
    if (isDefinition(v) && v.kind === kind && v.name === name) return v;
  }
  throw new ImgbuildError('E_PLUGIN', `${displayPath} does not export a ${kind} named "${name}"`, {
    source: 'internal',
  });
}

function isDefinition(v: unknown): v is AnyDefinition {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { kind?: unknown }).kind === 'string' &&
    typeof (v as { name?: unknown }).name === 'string' &&
    typeof (v as { prepare?: unknown }).prepare === 'function'
  );
}

const RUNTIME_METHOD: Record<LoadableKind, string> = { builder: 'steps', provisioner: 'provision', 'post-processor': 'process', 'data-source': 'execute' };

function hasRuntime(d: AnyDefinition): d is AnyPlugin {
  const method = RUNTIME_METHOD[d.kind];
  return typeof (d as unknown as Record<string, unknown>)[method] === 'function';
}

/* ------------------------------------------------------------------------------------------
 * imgbuild validate
 * ---------------------------------------------------------------------------------------- */

/**
 * Loads the definition of every plugin the plan uses (never a runtime) and prepares every source, provisioner and
 * post-processor with run-time values unknown; returns all diagnostics (errors and
 * warnings; the plan's own warnings are not repeated), each reported once.
 */
export async function validatePlan(plan: BuildPlan): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (ds: readonly Diagnostic[]): void => {
    for (const d of ds) {
      const key = `${d.severity}|${d.summary}|${d.detail}|${d.subject?.filename ?? ''}:${d.subject?.start.byte ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
    }
  };
  const check = async (kind: LoadableKind, planned: PlannedPlugin, build: PlannedBuild): Promise<void> => {
    const evaluated = planned.evaluate(null);
    add(evaluated.diagnostics);
    if (!isKnownPlugin(kind, planned.type)) {
      add([unknownPluginDiagnostic(kind, planned.type, planned.typeRange)]);
      return;
    }
    let plugin: AnyDefinition;
    try {
      plugin = await loadDefinition(kind, planned.type);
    } catch (e) {
      add([{ severity: 'error', summary: `Cannot load ${kind} "${planned.type}"`, detail: errorMessage(e), subject: planned.typeRange }]);
      return;
    }
    if (hasErrors(evaluated.diagnostics)) return;
    // A provisioner's `cache` and `cache_key` are the step cache's, not the plugin's.
    const split = kind === 'provisioner' ? splitCacheMeta(evaluated.raw) : { raw: evaluated.raw, errors: [] };
    add(split.errors);
    const prepared = plugin.prepare(split.raw, {
      templateDir: plan.templateDir,
      sourceFullName: build.sourceFullName,
      buildName: build.buildName,
    });
    add([...prepared.errors, ...prepared.warnings]);
  };
  for (const b of plan.builds) {
    await check('builder', b.source, b);
    for (const p of b.provisioners) await check('provisioner', p, b);
    if (b.errorCleanupProvisioner) await check('provisioner', b.errorCleanupProvisioner, b);
    for (const chain of b.postProcessorChains) for (const pp of chain) await check('post-processor', pp, b);
  }
  return out;
}
