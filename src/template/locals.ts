// Locals: `locals { a = ... }` and `local "a" { expression = ..., sensitive = ... }`, decoded
// here and evaluated with the data sources by value-stage.ts.
import type { Block } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error } from '../hcl/diagnostic.js';
import { UNKNOWN } from '../core/model/value.js';
import type { EvalContext } from './adapter.js';
import { evalExpr } from './adapter.js';
import { checkBody, rangeText } from './schema.js';
import type { LocalDef } from './types.js';
import { isIdentifier } from './variables.js';

const LOCAL_SCHEMA = { attributes: { expression: { required: true }, sensitive: {} }, blocks: {} };

export function decodeLocalsBlock(block: Block, locals: Map<string, LocalDef>, diags: Diagnostic[]): void {
  for (const item of block.body.items) {
    if (item.kind === 'block') {
      diags.push(error('Unexpected block', `A locals block may only contain assignments like name = expression; found a "${item.type}" block.`, item.typeRange));
      continue;
    }
    add(locals, { name: item.name, expr: item.expr, nameRange: item.nameRange, range: item.range, sensitive: false, value: UNKNOWN }, diags);
  }
}

export function decodeLocalBlock(block: Block, locals: Map<string, LocalDef>, ctx: EvalContext, diags: Diagnostic[]): void {
  const name = block.labels[0] ?? '';
  const nameRange = block.labelRanges[0] ?? block.typeRange;
  const { attrs } = checkBody(block.body, LOCAL_SCHEMA, `local "${name}"`, diags, block.range);
  const expr = attrs.get('expression');
  if (!expr) return;
  if (!isIdentifier(name)) {
    diags.push(error('Invalid local name', `"${name}" is not a valid local name.`, nameRange));
    return;
  }
  let sensitive = false;
  const s = attrs.get('sensitive');
  if (s) {
    const r = evalExpr(s.expr, ctx);
    diags.push(...r.diagnostics);
    if (typeof r.value === 'boolean') sensitive = r.value;
    else if (r.diagnostics.length === 0) diags.push(error('Invalid value', 'sensitive must be true or false.', s.expr.range));
  }
  add(locals, { name, expr: expr.expr, nameRange, range: block.range, sensitive, value: UNKNOWN }, diags);
}

function add(locals: Map<string, LocalDef>, def: LocalDef, diags: Diagnostic[]): void {
  const prev = locals.get(def.name);
  if (prev) {
    diags.push(error('Duplicate local definition', `A local value named "${def.name}" was already defined at ${rangeText(prev.nameRange)}. Local value names must be unique.`, def.nameRange));
    return;
  }
  locals.set(def.name, def);
}
