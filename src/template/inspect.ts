// `imgbuild inspect` and `imgbuild console`: a plain-data description of a loaded template
// (sensitive values hidden), and evaluation of one expression with the template in scope.
import type { Range } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { isObject, isUnknown } from '../core/model/value.js';
import type { Value } from '../core/model/value.js';
import { parseExpression } from './adapter.js';
import { evaluateIn, templateContext } from './scope.js';
import type { Template, ValueSource } from './types.js';

export interface TemplateDescription {
  requiredVersion: string | null;
  requiredPlugins: { name: string; source: string | null; version: string | null }[];
  /** Sorted by name. */
  variables: {
    name: string;
    type: string;
    /** The value rendered as HCL; "<sensitive>" for sensitive variables, "<unknown>" when unknown. */
    value: string;
    /** The declared default rendered the same way; null when there is none. */
    default: string | null;
    valueSource: ValueSource;
    description: string;
    sensitive: boolean;
  }[];
  locals: { name: string; value: string; sensitive: boolean }[];
  sources: { type: string; name: string; file: string; line: number }[];
  dataSources: { type: string; name: string; file: string; line: number }[];
  builds: {
    name: string;
    description: string;
    /** "type.name" as built (after a build-level rename). */
    sources: string[];
    provisioners: { type: string; name: string | null }[];
    errorCleanupProvisioner: { type: string; name: string | null } | null;
    postProcessors: { type: string; name: string | null }[][];
  }[];
}

export function describeTemplate(t: Template): TemplateDescription {
  const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    requiredVersion: t.requiredVersion,
    requiredPlugins: t.requiredPlugins.map((p) => ({ name: p.name, source: p.source, version: p.version })),
    variables: [...t.variables.values()]
      .map((v) => ({
        name: v.name,
        type: v.typeText,
        value: v.sensitive ? '<sensitive>' : renderValue(v.value),
        default: v.default === undefined ? null : v.sensitive ? '<sensitive>' : renderValue(v.default),
        valueSource: v.valueSource,
        description: v.description,
        sensitive: v.sensitive,
      }))
      .sort(byName),
    locals: [...t.locals.values()].map((l) => ({ name: l.name, value: l.sensitive ? '<sensitive>' : renderValue(l.value), sensitive: l.sensitive })).sort(byName),
    sources: [...t.sourceBlocks.values()].map((s) => ({ type: s.type, name: s.name, file: s.range.filename, line: s.range.start.line })),
    dataSources: [...t.dataSources.values()].map((d) => ({ type: d.type, name: d.name, file: d.range.filename, line: d.range.start.line })),
    builds: t.builds.map((b) => ({
      name: b.name,
      description: b.description,
      sources: b.sources.map((u) => `${u.ref.type}.${u.localName ?? u.ref.name}`),
      provisioners: b.provisioners.map((p) => ({ type: p.type, name: p.name })),
      errorCleanupProvisioner: b.errorCleanupProvisioner ? { type: b.errorCleanupProvisioner.type, name: b.errorCleanupProvisioner.name } : null,
      postProcessors: b.postProcessorChains.map((c) => c.map((pp) => ({ type: pp.type, name: pp.name }))),
    })),
  };
}

export interface PluginBlockRef {
  kind: 'builder' | 'provisioner' | 'post-processor';
  type: string;
  typeRange: Range;
}

/**
 * Every plugin block of the template, including those only/except or -only/-except leave
 * out of a plan: Packer reports an unknown plugin type wherever it is written.
 */
export function pluginBlocks(t: Template): PluginBlockRef[] {
  const out: PluginBlockRef[] = [];
  for (const s of t.sourceBlocks.values()) out.push({ kind: 'builder', type: s.type, typeRange: s.labelRanges[0] ?? s.typeRange });
  for (const b of t.builds) {
    const provs = b.errorCleanupProvisioner ? [...b.provisioners, b.errorCleanupProvisioner] : b.provisioners;
    for (const p of provs) out.push({ kind: 'provisioner', type: p.type, typeRange: p.typeRange });
    for (const pp of b.postProcessorChains.flat()) out.push({ kind: 'post-processor', type: pp.type, typeRange: pp.typeRange });
  }
  return out;
}

/** Evaluates console input with var, local, path, packer, data and functions in scope. */
export function evaluateInTemplate(exprText: string, template: Template): { value: Value; diagnostics: Diagnostic[] } {
  const parsed = parseExpression(exprText, '<console-input>');
  if (!parsed.expr) return { value: null, diagnostics: parsed.diagnostics };
  const r = evaluateIn(parsed.expr, templateContext(template));
  return { value: r.value, diagnostics: [...parsed.diagnostics, ...r.diagnostics] };
}

/** HCL-like rendering: strings quoted, lists in brackets, objects in braces. */
export function renderValue(v: Value): string {
  if (isUnknown(v)) return '<unknown>';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(renderValue).join(', ')}]`;
  if (isObject(v)) {
    const entries = Object.keys(v).map((k) => `${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k)} = ${renderValue(v[k] ?? null)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return String(v);
}
