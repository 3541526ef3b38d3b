// planBuilds: one PlannedBuild per (build block, source), filtered by -only/-except globs on
// the display name; provisioners and post-processors filtered by their own only/except on
// "type.name". Source bodies are evaluated now; provisioner and post-processor bodies are
// evaluated again by the core once `build.*` is known, as Packer does.
import type { Range } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error, hasErrors, warning } from '../hcl/diagnostic.js';
import type { GeneratedData, RawConfig } from '../core/model/plan.js';
import type { BuildPlan, EvaluatedConfig, PlannedBuild, PlannedPlugin, PlannedPostProcessor, PlannedProvisioner } from '../core/model/plan.js';
import { isObject } from '../core/model/value.js';
import type { ValueObject } from '../core/model/value.js';
import type { EvalContext } from './adapter.js';
import { itemsToRaw } from './body-to-raw.js';
import { unknownSource } from './builds.js';
import { expandBody } from './dynamic.js';
import { globToRegExp, matchesAny } from './glob.js';
import { collectReferences } from './refs.js';
import { pluginContext, templateContext } from './scope.js';
import type { PluginScope } from './scope.js';
import { sensitiveValues } from './sensitive.js';
import { dedupe } from './schema.js';
import type { BuildDef, BuildSourceUse, OnlyExcept, PostProcessorDef, ProvisionerDef, Template, XItem } from './types.js';

export interface PlanOptions {
  /** -only globs, matched against the display name ("build.type.name" or "type.name"). */
  only: string[];
  except: string[];
}

export function planBuilds(template: Template, opts: PlanOptions): { plan: BuildPlan | null; diagnostics: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  if (opts.only.length > 0 && opts.except.length > 0) {
    // As Packer's command line: the two filters do not combine.
    return { plan: null, diagnostics: [error('Both -only and -except given', 'Only one of -only or -except may be specified.')] };
  }
  const only = opts.only.map(globToRegExp);
  const except = opts.except.map(globToRegExp);
  const base = templateContext(template);
  const builds: PlannedBuild[] = [];
  const existing: string[] = [];
  for (const build of template.builds) {
    for (const use of build.sources) {
      // Selection comes first, as in Packer: an excluded build's source, provisioners and
      // post-processors are never evaluated, so a file() or a value only it needs cannot
      // fail the builds that were asked for.
      const name = displayName(build, use);
      existing.push(name);
      const missing = unknownSource(use, template.sourceBlocks);
      if (missing) {
        // Packer rejects a build naming an undeclared source whatever is selected.
        diags.push(missing);
        continue;
      }
      if (only.length > 0 && !matchesAny(name, only)) continue;
      if (except.length > 0 && matchesAny(name, except)) continue;
      const planned = planOne(template, build, use, base, except, diags);
      if (planned) builds.push(planned);
    }
  }
  const warnings: Diagnostic[] = unmatchedOnly(opts.only, only, existing);
  for (const d of template.dataSources.values()) {
    // Loaded without the data-source stage (a caller that only wants the template's shape).
    if (!d.evaluated) warnings.push(warning('Data source not evaluated', `data.${d.type}.${d.name} was not evaluated here: its value is unknown, and anything computed from it stays unknown.`, d.range));
  }
  const all = dedupe([...diags, ...warnings]);
  if (hasErrors(all)) return { plan: null, diagnostics: all };
  const plan: BuildPlan = {
    builds,
    sensitiveValues: sensitiveValues(template),
    templateDir: template.dir,
    sources: template.sources,
    warnings: all.filter((d) => d.severity === 'warning'),
  };
  return { plan, diagnostics: all };
}

function planOne(t: Template, build: BuildDef, use: BuildSourceUse, base: EvalContext, except: RegExp[], diags: Diagnostic[]): PlannedBuild | null {
  const def = t.sourceBlocks.get(`${use.ref.type}.${use.ref.name}`);
  if (!def) return null;
  const sourceName = use.localName ?? use.ref.name;
  const fullName = `${use.ref.type}.${sourceName}`;
  const scope: PluginScope = { buildName: build.name, sourceType: use.ref.type, sourceName };
  const sourceCtx = pluginContext(base, scope, null);

  const sourceEval = (): EvaluatedConfig => {
    const d: Diagnostic[] = [];
    const items: XItem[] = [...expandBody(def.body, {}, sourceCtx, d), ...use.extra];
    return { raw: itemsToRaw(items, def.range, sourceCtx, d), diagnostics: d };
  };
  const evaluated = sourceEval();
  diags.push(...evaluated.diagnostics);
  const source: PlannedPlugin = { type: def.type, typeRange: def.labelRanges[0] ?? def.typeRange, range: def.range, evaluate: () => sourceEval() };

  const keep = (x: OnlyExcept): boolean => !skip(x, fullName);
  const provisioners = build.provisioners.filter(keep).map((p) => planProvisioner(p, base, scope, fullName, diags));
  const cleanup = build.errorCleanupProvisioner && keep(build.errorCleanupProvisioner) ? planProvisioner(build.errorCleanupProvisioner, base, scope, fullName, diags) : null;
  const chains = build.postProcessorChains
    .map((chain) => chain.filter((pp) => keep(pp) && !(except.length > 0 && matchesAny(pp.name ?? pp.type, except))).map((pp) => planPostProcessor(pp, base, scope, diags)))
    .filter((chain) => chain.length > 0);

  return {
    buildName: build.name,
    sourceType: use.ref.type,
    sourceName,
    sourceFullName: fullName,
    displayName: displayName(build, use),
    source,
    provisioners,
    errorCleanupProvisioner: cleanup,
    postProcessorChains: chains,
    range: build.range,
  };
}

/** What Packer prints and -only/-except match: "build.type.name", or "type.name" for an unnamed build. */
function displayName(build: BuildDef, use: BuildSourceUse): string {
  const full = `${use.ref.type}.${use.localName ?? use.ref.name}`;
  return build.name ? `${build.name}.${full}` : full;
}

/** One warning per -only pattern that selects nothing, naming the builds there are. */
function unmatchedOnly(patterns: readonly string[], globs: readonly RegExp[], existing: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  patterns.forEach((pattern, i) => {
    const glob = globs[i];
    if (glob === undefined || existing.some((name) => glob.test(name))) return;
    const list = existing.length > 0 ? `The builds are: ${existing.join(', ')}.` : 'The template has no builds.';
    out.push(warning(`-only "${pattern}" matches no build`, `No build is named "${pattern}". ${list} A build is selected by its full name ("build.type.name", or "type.name" when the build block has no name), with * matching any part.`));
  });
  return out;
}

/** Packer's OnlyExcept.Skip: `only` wins when set; names are "type.name". */
function skip(x: OnlyExcept, fullName: string): boolean {
  if (x.only.length > 0) return !x.only.includes(fullName);
  if (x.except.length > 0) return x.except.includes(fullName);
  return false;
}

function planProvisioner(p: ProvisionerDef, base: EvalContext, scope: PluginScope, fullName: string, diags: Diagnostic[]): PlannedProvisioner {
  const wanted = buildKeys(p.items);
  const evaluate = (generated: GeneratedData | null): EvaluatedConfig => {
    const d: Diagnostic[] = [];
    const ctx = pluginContext(base, scope, { generated, wanted });
    const raw = itemsToRaw(p.items, p.range, ctx, d);
    const override = p.override ? (p.override[fullName] ?? p.override[scope.sourceName]) : undefined;
    return { raw: isObject(override ?? null) ? applyOverride(raw, override as ValueObject, p.range) : raw, diagnostics: d };
  };
  diags.push(...evaluate(null).diagnostics);
  return { type: p.type, typeRange: p.typeRange, range: p.range, evaluate, name: p.name, pauseBeforeMs: p.pauseBeforeMs, maxRetries: p.maxRetries, timeoutMs: p.timeoutMs };
}

function planPostProcessor(pp: PostProcessorDef, base: EvalContext, scope: PluginScope, diags: Diagnostic[]): PlannedPostProcessor {
  const wanted = buildKeys(pp.items);
  const evaluate = (generated: GeneratedData | null): EvaluatedConfig => {
    const d: Diagnostic[] = [];
    const raw = itemsToRaw(pp.items, pp.range, pluginContext(base, scope, { generated, wanted }), d);
    return { raw, diagnostics: d };
  };
  diags.push(...evaluate(null).diagnostics);
  return { type: pp.type, typeRange: pp.typeRange, range: pp.range, evaluate, name: pp.name, keepInputArtifact: pp.keepInputArtifact };
}

/** Override values replace the body's keys for this source (Packer merges them the same way). */
function applyOverride(raw: RawConfig, override: ValueObject, range: Range): RawConfig {
  const ranges = new Map(raw.ranges);
  for (const k of Object.keys(override)) {
    for (const key of [...ranges.keys()]) if (key === k || key.startsWith(`${k}.`)) ranges.delete(key);
    ranges.set(k, range);
  }
  return { values: { ...raw.values, ...override }, ranges, blockRange: raw.blockRange };
}

/** Every `build.X` a body mentions, nested blocks included. */
function buildKeys(items: XItem[]): Set<string> {
  const keys = new Set<string>();
  const visit = (list: XItem[]): void => {
    for (const item of list) {
      if (item.kind === 'attribute') {
        for (const r of collectReferences(item.attr.expr)) if (r.root === 'build' && r.attr !== null) keys.add(r.attr);
      } else {
        visit(item.body.items.map((bi) => (bi.kind === 'attribute' ? { kind: 'attribute', attr: bi, bindings: {} } : { kind: 'block', type: bi.type, typeRange: bi.typeRange, labels: bi.labels, labelRanges: bi.labelRanges, body: bi.body, range: bi.range, bindings: {} })));
      }
    }
  };
  visit(items);
  return keys;
}
