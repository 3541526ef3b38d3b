// Plugin block body -> RawConfig: attributes evaluated to values, nested blocks gathered as
// arrays of objects under their type name in file order, and a range for every key path so
// a plugin's `prepare` can point at exactly what it rejects.
import type { Expr, Range } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error } from '../hcl/diagnostic.js';
import type { RawConfig } from '../core/model/plan.js';
import type { Value, ValueObject } from '../core/model/value.js';
import type { EvalContext } from './adapter.js';
import { expandBody, expandItems } from './dynamic.js';
import { literalString } from './refs.js';
import { evaluateIn } from './scope.js';
import { rangeText } from './schema.js';
import type { XItem } from './types.js';

export function itemsToRaw(items: XItem[], blockRange: Range, ctx: EvalContext, diags: Diagnostic[]): RawConfig {
  const ranges = new Map<string, Range>();
  const values = convertItems(items, '', ranges, ctx, diags);
  return { values, ranges, blockRange };
}

function convertItems(items: XItem[], prefix: string, ranges: Map<string, Range>, ctx: EvalContext, diags: Diagnostic[]): ValueObject {
  const out: ValueObject = {};
  const seen = new Map<string, Range>();
  for (const item of expandItems(items, ctx, diags)) {
    if (item.kind === 'attribute') {
      const { attr } = item;
      const prev = seen.get(attr.name);
      if (prev) {
        diags.push(error('Duplicate argument', `The argument "${attr.name}" was already set at ${rangeText(prev)}. Each argument may be set only once (a build-level source block cannot override the top-level source).`, attr.nameRange));
        continue;
      }
      seen.set(attr.name, attr.nameRange);
      const r = evaluateIn(attr.expr, ctx, item.bindings);
      diags.push(...r.diagnostics);
      if (r.diagnostics.some((d) => d.severity === 'error')) continue;
      out[attr.name] = r.value;
      ranges.set(prefix + attr.name, attr.range);
      recordNested(attr.expr, r.value, `${prefix}${attr.name}.`, ranges);
      continue;
    }
    const list = out[item.type];
    const arr: Value[] = Array.isArray(list) ? list : [];
    if (list !== undefined && !Array.isArray(list)) {
      diags.push(error('Duplicate argument', `"${item.type}" is set both as an argument and as a block.`, item.typeRange));
      continue;
    }
    const path = `${prefix}${item.type}.${arr.length}`;
    if (arr.length === 0) ranges.set(prefix + item.type, item.range);
    ranges.set(path, item.range);
    const inner = expandBody(item.body, item.bindings, ctx, diags);
    arr.push(convertItems(inner, `${path}.`, ranges, ctx, diags));
    out[item.type] = arr;
  }
  return out;
}

/** Ranges of the elements of literal lists and objects ("tags.Name", "changes.2"). */
function recordNested(expr: Expr, value: Value, prefix: string, ranges: Map<string, Range>): void {
  const e = expr.kind === 'paren' ? expr.expr : expr;
  if (e.kind === 'tuple' && Array.isArray(value)) {
    e.items.forEach((item, i) => {
      ranges.set(`${prefix}${i}`, item.range);
      const v = value[i];
      if (v !== undefined) recordNested(item, v, `${prefix}${i}.`, ranges);
    });
  } else if (e.kind === 'object' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const item of e.items) {
      const key = literalString(item.key);
      if (key === null) continue;
      ranges.set(`${prefix}${key}`, item.range);
      const v = (value as ValueObject)[key];
      if (v !== undefined) recordNested(item.value, v, `${prefix}${key}.`, ranges);
    }
  }
}
