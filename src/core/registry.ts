// The plugin registry. Plugins are registered by name with a loader and imported only when
// a template uses them, so `validate` and `--help` never pay for cloud SDKs.
import { splitCacheMeta } from './cache-meta.js';
import type { Range } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { hasErrors } from '../hcl/diagnostic.js';
import type { BuildPlan, PlannedBuild, PlannedPlugin } from './model/plan.js';
import { EnvironmentError, ImgbuildError, errorMessage } from './errors.js';
import type { AnyPlugin, Builder, PluginKind, PostProcessor, Provisioner } from './plugin.js';
import { didYouMean } from './suggest.js';

export type PluginLoader = () => Promise<AnyPlugin>;

export interface PluginOfKind {
  builder: Builder<unknown>;
  provisioner: Provisioner<unknown>;
  'post-processor': PostProcessor<unknown>;
}
export type LoadableKind = keyof PluginOfKind;

const loaders = new Map<string, PluginLoader>();
const loaded = new Map<string, Promise<AnyPlugin>>();

const keyOf = (kind: PluginKind, name: string): string => `${kind}\u0000${name}`;

export function registerPlugin(kind: LoadableKind, name: string, loader: PluginLoader): void {
  loaders.set(keyOf(kind, name), loader);
  loaded.delete(keyOf(kind, name));
}

export function isKnownPlugin(kind: LoadableKind, name: string): boolean {
  return loaders.has(keyOf(kind, name));
}

/** Registered names of a kind, sorted. */
export function knownPlugins(kind: LoadableKind): string[] {
  const prefix = keyOf(kind, '');
  return [...loaders.keys()]
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length))
    .sort();
}

/** Imports the plugin once; an unknown name or a broken module is an ImgbuildError. */
export function loadPlugin<K extends LoadableKind>(kind: K, name: string): Promise<PluginOfKind[K]> {
  const key = keyOf(kind, name);
  let p = loaded.get(key);
  if (!p) {
    const loader = loaders.get(key);
    if (!loader) {
      return Promise.reject(new ImgbuildError('E_UNKNOWN_PLUGIN', unknownPluginMessage(kind, name)));
    }
    p = loader().then((plugin) => {
      if (plugin.kind !== kind || plugin.name !== name) {
        throw new ImgbuildError(
          'E_PLUGIN',
          `internal: the module registered as ${kind} "${name}" exports ${plugin.kind} "${plugin.name}"`,
          { source: 'internal' },
        );
      }
      return plugin;
    });
    loaded.set(key, p);
    // A failed import is not cached: the module may be installed by the next call (tests).
    p.catch(() => loaded.delete(key));
  }
  return p as Promise<PluginOfKind[K]>;
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
 * A loader for a plugin module that may not be part of this installation (written by
 * another part of the project, or optional). It finds the exported plugin object by its
 * kind and name, so the module is free to name its exports.
 */
export function moduleLoader(
  kind: LoadableKind,
  name: string,
  importer: () => Promise<Record<string, unknown>>,
  displayPath: string,
): PluginLoader {
  return async () => {
    let mod: Record<string, unknown>;
    try {
      mod = await importer();
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
    for (const v of Object.values(mod)) {
      if (isPlugin(v) && v.kind === kind && v.name === name) return v;
    }
    throw new ImgbuildError('E_PLUGIN', `${displayPath} does not export a ${kind} named "${name}"`, {
      source: 'internal',
    });
  };
}

function isPlugin(v: unknown): v is AnyPlugin {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { kind?: unknown }).kind === 'string' &&
    typeof (v as { name?: unknown }).name === 'string' &&
    typeof (v as { prepare?: unknown }).prepare === 'function'
  );
}

/* ------------------------------------------------------------------------------------------
 * imgbuild validate
 * ---------------------------------------------------------------------------------------- */

/**
 * Loads every plugin the plan uses and prepares every source, provisioner and
 * post-processor with run-time values unknown; returns all diagnostics (errors and
 * warnings; the plan's own warnings are not repeated), each reported once.
 */
export async function validatePlan(plan: BuildPlan): Promise<Diagnostic[]> {
  const { registerBuiltins } = await import('./builtins.js');
  registerBuiltins();
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
    let plugin: AnyPlugin;
    try {
      plugin = await loadPlugin(kind, planned.type);
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
