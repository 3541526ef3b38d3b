// `dynamic "type" { for_each, iterator, labels, content {} }` expansion, one body level at a
// time: generated blocks carry their iterator bindings, so nested `dynamic` blocks and the
// attributes inside see `<iterator>.key` / `<iterator>.value` whenever they are evaluated.
import type { Block, Body, Expr } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error, warning } from '../hcl/diagnostic.js';
import { isObject, isUnknown, typeName } from '../core/model/value.js';
import type { Value } from '../core/model/value.js';
import type { EvalContext } from './adapter.js';
import { evaluateIn } from './scope.js';
import { checkBody } from './schema.js';
import type { Bindings, XItem } from './types.js';

const DYNAMIC_SCHEMA = {
  attributes: { for_each: { required: true }, iterator: {}, labels: {} },
  blocks: { content: [] },
};

export function expandBody(body: Body, bindings: Bindings, ctx: EvalContext, diags: Diagnostic[]): XItem[] {
  const out: XItem[] = [];
  for (const item of body.items) {
    if (item.kind === 'attribute') {
      out.push({ kind: 'attribute', attr: item, bindings });
    } else if (item.type === 'dynamic') {
      out.push(...expandDynamic(item, bindings, ctx, diags));
    } else {
      out.push({ kind: 'block', type: item.type, typeRange: item.typeRange, labels: item.labels, labelRanges: item.labelRanges, body: item.body, range: item.range, bindings });
    }
  }
  return out;
}

/** Expands `dynamic` blocks left unexpanded in an item list (a plugin body's top level). */
export function expandItems(items: XItem[], ctx: EvalContext, diags: Diagnostic[]): XItem[] {
  const out: XItem[] = [];
  for (const item of items) {
    if (item.kind === 'block' && item.type === 'dynamic') {
      const block: Block = { kind: 'block', type: item.type, typeRange: item.typeRange, labels: item.labels, labelRanges: item.labelRanges, body: item.body, range: item.range, openBraceRange: item.range };
      out.push(...expandDynamic(block, item.bindings, ctx, diags));
    } else {
      out.push(item);
    }
  }
  return out;
}

export function expandDynamic(block: Block, bindings: Bindings, ctx: EvalContext, diags: Diagnostic[]): XItem[] {
  const blockType = block.labels[0];
  if (blockType === undefined || block.labels.length !== 1) {
    diags.push(error('Invalid dynamic block', 'A dynamic block takes exactly one label: the type of the blocks to generate.', block.typeRange));
    return [];
  }
  const { attrs, blocks } = checkBody(block.body, DYNAMIC_SCHEMA, `a dynamic "${blockType}" block`, diags, block.range);
  const forEach = attrs.get('for_each');
  const contents = blocks.filter((b) => b.type === 'content');
  if (contents.length !== 1) {
    diags.push(error(contents.length === 0 ? 'Missing content block' : 'Duplicate content block', `A dynamic "${blockType}" block needs exactly one content block.`, block.range));
    return [];
  }
  const content = contents[0];
  if (!forEach || !content) return [];
  const iterator = iteratorName(attrs.get('iterator')?.expr, blockType, diags);
  if (iterator === null) return [];

  const r = evaluateIn(forEach.expr, ctx, bindings);
  diags.push(...r.diagnostics);
  if (r.diagnostics.some((d) => d.severity === 'error')) return [];
  const entries = forEachEntries(r.value);
  if (entries === 'unknown') {
    diags.push(warning('Unknown dynamic for_each value', `The for_each value of this dynamic "${blockType}" block is only known at build time; no blocks were generated for it now.`, forEach.expr.range));
    return [];
  }
  if (entries === null) {
    diags.push(error('Invalid dynamic for_each value', `Cannot use a ${typeName(r.value)} value in for_each. An iterable collection is required.`, forEach.expr.range));
    return [];
  }
  const labelsAttr = attrs.get('labels');
  const out: XItem[] = [];
  for (const [key, value] of entries) {
    const inner: Bindings = { ...bindings, [iterator]: { key, value } };
    const labels = labelsAttr ? evalLabels(labelsAttr.expr, ctx, inner, diags) : [];
    if (labels === null) continue;
    out.push({
      kind: 'block',
      type: blockType,
      typeRange: block.labelRanges[0] ?? block.typeRange,
      labels,
      labelRanges: labels.map(() => labelsAttr?.expr.range ?? block.typeRange),
      body: content.body,
      range: block.range,
      bindings: inner,
    });
  }
  return out;
}

function iteratorName(expr: Expr | undefined, fallback: string, diags: Diagnostic[]): string | null {
  if (!expr) return fallback;
  if (expr.kind === 'variable') return expr.name;
  diags.push(error('Invalid dynamic iterator name', 'The iterator argument must be a single bare name, like iterator = tag.', expr.range));
  return null;
}

function forEachEntries(v: Value): [Value, Value][] | 'unknown' | null {
  if (isUnknown(v)) return 'unknown';
  if (Array.isArray(v)) return v.map((x, i) => [i, x]);
  if (isObject(v)) return Object.keys(v).sort().map((k) => [k, v[k] ?? null]);
  return null;
}

function evalLabels(expr: Expr, ctx: EvalContext, bindings: Bindings, diags: Diagnostic[]): string[] | null {
  const r = evaluateIn(expr, ctx, bindings);
  diags.push(...r.diagnostics);
  if (Array.isArray(r.value) && r.value.every((x) => typeof x === 'string')) return r.value;
  if (r.diagnostics.length === 0) diags.push(error('Invalid dynamic block labels', 'labels must be a list of strings.', expr.range));
  return null;
}
